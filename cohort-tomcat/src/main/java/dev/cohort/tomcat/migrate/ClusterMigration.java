package dev.cohort.tomcat.migrate;

import dev.cohort.tomcat.CohortCluster;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.w3c.dom.Element;

/**
 * One {@code <Cluster>} element translated: its attributes and nested elements, one note each.
 * Attributes set on the element itself win over values mapped from nested elements (CohortCluster
 * refuses to start with both when they disagree, so the migration drops the nested one).
 */
final class ClusterMigration {
  static final String COHORT_CLUSTER = CohortCluster.class.getName();

  /** CohortCluster's own attributes: its setters that take a string, number or boolean. */
  private static final Set<String> COHORT_ATTRIBUTES = cohortAttributes();

  private final Map<String, String> attributes = new LinkedHashMap<>();
  private final Set<String> explicit = new TreeSet<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> children = new ArrayList<>();
  private boolean tomcat;

  private ClusterMigration() {
    attributes.put("className", COHORT_CLUSTER);
  }

  static ServerXmlMigration.Migrated of(Element cluster, String where) {
    ClusterMigration m = new ClusterMigration();
    m.cluster(cluster);
    for (Element child : Xml.children(cluster)) {
      switch (child.getTagName()) {
        case "Manager" -> m.manager(child);
        case "Channel" -> ChannelMigration.of(child, m);
        case "Valve" -> m.valve(child);
        case "Deployer" -> m.deployer(child);
        case "ClusterListener" -> m.clusterListener(child);
        case "Listener" -> m.kept(child);
        default -> m.drop(Xml.describe(child), "not an element of <Cluster>");
      }
    }
    m.defaults();
    return new ServerXmlMigration.Migrated(where, m.attributes, m.children, m.notes);
  }

  private void cluster(Element cluster) {
    String type = cluster.getAttribute("className");
    if (!COHORT_CLUSTER.equals(type)) {
      tomcat = true;
      note(
          "mapped",
          "className=\"" + type + "\" to " + COHORT_CLUSTER,
          TomcatCluster.SIMPLE_TCP_CLUSTER.equals(type)
              ? null
              : "not Tomcat's SimpleTcpCluster: read as if it were");
    }
    for (Map.Entry<String, String> a : Xml.attributes(cluster).entrySet()) {
      String name = a.getKey();
      String value = a.getValue();
      if (name.equals("className")) {
        continue;
      }
      if (name.equals("channelSendOptions")) {
        sendOptions(value);
      } else if (TomcatCluster.ignoredClusterAttribute(name).isPresent()) {
        tomcat = true;
        drop(name + "=\"" + value + "\"", TomcatCluster.ignoredClusterAttribute(name).get());
      } else if (COHORT_ATTRIBUTES.contains(name)) {
        attributes.put(name, value);
        explicit.add(name);
      } else {
        drop(
            name + "=\"" + value + "\"",
            "neither a CohortCluster nor a SimpleTcpCluster attribute");
      }
    }
  }

  private void sendOptions(String value) {
    tomcat = true;
    String source = "channelSendOptions=\"" + value + "\"";
    TomcatCluster.SendOptions o;
    try {
      o = TomcatCluster.sendOptions(value);
    } catch (IllegalArgumentException e) {
      drop(source, e.getMessage());
      return;
    }
    map(source, "sync", String.valueOf(o.sync()), o.meaning());
    if (!o.ignored().isEmpty()) {
      note("dropped", "from " + source, String.join(", ", o.ignored()));
    }
  }

  private void manager(Element manager) {
    tomcat = true;
    String type = manager.getAttribute("className");
    String source = "<Manager className=\"" + type + "\">";
    String mode = TomcatCluster.mode(type).orElse(cohortMode(type));
    if (mode == null) {
      drop(source, "not Tomcat's DeltaManager or BackupManager");
      return;
    }
    map(source, "mode", mode, TomcatCluster.modeMeaning(mode));
    if (type.startsWith("dev.cohort.")) {
      note(
          "note",
          source,
          "Tomcat refuses Cohort's managers inside <Cluster> (it hands them over as"
              + " org.apache.catalina.ha.ClusterManager): they belong in a context.xml");
    }
    for (Map.Entry<String, String> a : Xml.attributes(manager).entrySet()) {
      if (!a.getKey().equals("className")) {
        ManagerAttributes.migrate(a.getKey(), a.getValue(), this);
      }
    }
    for (Element child : Xml.children(manager)) {
      drop(
          "<Manager> " + Xml.describe(child),
          "set it on the context's <Manager className=\"dev.cohort.tomcat.ReplicatedManager\">");
    }
  }

  private static String cohortMode(String type) {
    return switch (type) {
      case "dev.cohort.tomcat.DeltaManager" -> "all";
      case "dev.cohort.tomcat.BackupManager" -> "backup";
      default -> null;
    };
  }

  private void valve(Element valve) {
    tomcat = true;
    String type = valve.getAttribute("className");
    String source = "<Valve className=\"" + type + "\">";
    drop(source, TomcatCluster.valve(type));
    if (!TomcatCluster.REPLICATION_VALVE.equals(type)) {
      return;
    }
    for (Map.Entry<String, String> a : Xml.attributes(valve).entrySet()) {
      String name = a.getKey();
      String value = a.getValue();
      if (name.equals("filter") && !value.isEmpty()) {
        map(
            "<Valve> filter=\"" + value + "\"",
            "replicationFilter",
            value,
            "requests whose URI matches are not replicated (matched case-insensitively)");
      } else if (name.equals("filter")) {
        drop(
            "<Valve> filter=\"\"",
            "no filter in Tomcat; Cohort keeps its default, which skips static resources");
      } else if (!name.equals("className")) {
        drop("<Valve> " + name + "=\"" + value + "\"", "no equivalent in Cohort");
      }
    }
  }

  private void deployer(Element deployer) {
    tomcat = true;
    String watchDir = deployer.getAttribute("watchDir");
    boolean watched = "true".equalsIgnoreCase(deployer.getAttribute("watchEnabled"));
    drop(
        Xml.describe(deployer),
        TomcatCluster.DEPLOYER
            + (watched && !watchDir.isEmpty()
                ? "; this node watched \""
                    + watchDir
                    + "\": farmDir=\""
                    + watchDir
                    + "\" on every node does that, with a secret beyond loopback"
                : ""));
  }

  private void clusterListener(Element listener) {
    tomcat = true;
    drop(Xml.describe(listener), TomcatCluster.clusterListener(listener.getAttribute("className")));
  }

  private void kept(Element child) {
    children.add(Xml.render(child));
    note("kept", Xml.describe(child), "CohortCluster adds lifecycle listeners as Tomcat's does");
  }

  /**
   * Proposes {@code attribute=value} from a Tomcat setting ({@code source}); an attribute the
   * {@code <Cluster>} set itself, or an earlier proposal, wins.
   */
  void map(String source, String attribute, String value, String why) {
    tomcat = true;
    String current = attributes.get(attribute);
    if (current != null && !current.equals(value)) {
      drop(
          source,
          "would be "
              + attribute
              + "=\""
              + value
              + "\", but "
              + attribute
              + "=\""
              + current
              + "\" is "
              + (explicit.contains(attribute) ? "set on <Cluster>" : "mapped already")
              + " and kept");
      return;
    }
    attributes.put(attribute, value);
    String target = attribute + "=\"" + value + "\"";
    if (source.endsWith(" " + target)) {
      note("kept", source, why); // the same name and value
    } else {
      note("mapped", source + " to " + target, why);
    }
  }

  void drop(String what, String why) {
    note("dropped", what, why);
  }

  void note(String kind, String what, String why) {
    notes.add(String.format("%-8s%s%s", kind, what, why == null ? "" : ": " + why));
  }

  /** Where a setting left out meant something else in Tomcat than it does in Cohort. */
  private void defaults() {
    if (!tomcat) {
      return;
    }
    if (!attributes.containsKey("mode")) {
      note(
          "note",
          "mode",
          "Tomcat's default manager was DeltaManager (every member holds every session); Cohort's"
              + " default is backup (each session has one replica holder): add mode=\"all\" for"
              + " Tomcat's behaviour");
    }
    if (!attributes.containsKey("sync")) {
      note(
          "note",
          "sync",
          "Tomcat's default channelSendOptions was 8 (async); Cohort's default is sync=\"true\""
              + " (a response waits until the replicas have the change, so a killed node loses"
              + " none): add sync=\"false\" for Tomcat's behaviour");
    }
    if (!attributes.containsKey("bindAddress")) {
      note(
          "note",
          "bindAddress",
          "Tomcat's receiver bound the host's address (address=\"auto\"); Cohort binds 127.0.0.1"
              + " until bindAddress is set, and beyond loopback it needs secret or secretFile"
              + " (16+ characters, the same on every node)");
    }
  }

  private static Set<String> cohortAttributes() {
    Set<String> out = new TreeSet<>();
    for (Method m : CohortCluster.class.getMethods()) {
      Class<?>[] p = m.getParameterTypes();
      if (m.getName().startsWith("set")
          && m.getName().length() > 3
          && p.length == 1
          && (p[0] == String.class || p[0].isPrimitive())) {
        String name = m.getName().substring(3);
        out.add(Character.toLowerCase(name.charAt(0)) + name.substring(1));
      }
    }
    out.remove("channelSendOptions");
    out.removeAll(TomcatCluster.ignoredClusterAttributes());
    return Set.copyOf(out);
  }
}
