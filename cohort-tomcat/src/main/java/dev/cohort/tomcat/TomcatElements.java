package dev.cohort.tomcat;

import dev.cohort.tomcat.migrate.TomcatCluster;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.session.ManagerBase;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * What a server.xml written for Tomcat's {@code SimpleTcpCluster} hands a {@link CohortCluster}:
 * the nested objects Tomcat's digester creates ({@code <Manager>}, {@code <Channel>}, {@code
 * <Valve>}, {@code <Deployer>}, {@code <ClusterListener>}) and Tomcat's attributes. Each is logged
 * once, at WARNING, with what Cohort does with it: mapped to a Cohort attribute, or ignored and
 * why. Nothing here keeps, starts or calls the Tomcat objects beyond reading a few properties, so
 * no Tribes socket is ever opened.
 *
 * <p>Mapped values are applied by {@link #applyTo} at start; one that contradicts an attribute set
 * on {@code <Cluster>} itself fails the start, naming both. Thread-safe (the digester calls in, the
 * start applies).
 */
final class TomcatElements {
  private static final Log log = LogFactory.getLog(CohortCluster.class);
  private static final String MIGRATE = "`cohort migrate conf/server.xml` translates them";

  /** A Cohort attribute's value taken from a Tomcat element ({@code source}). */
  record Mapped(String attribute, String value, String source) {}

  private final List<Mapped> mapped = new CopyOnWriteArrayList<>();
  private volatile String channelSendOptions;

  /**
   * {@code <Manager>} in {@code <Cluster>}: the template of every distributable context.
   *
   * @param type the manager's class name
   */
  void managerTemplate(String type, Object manager) {
    String source = "<Manager className=\"" + type + "\">";
    String mode = TomcatCluster.mode(type).orElse(null);
    if (mode == null) {
      warn(
          source,
          "ignored: not Tomcat's DeltaManager or BackupManager; every distributable context gets"
              + " Cohort's replicated manager");
      return;
    }
    List<String> done = new ArrayList<>();
    mapped.add(new Mapped("mode", mode, source));
    done.add("mode=\"" + mode + "\" (" + TomcatCluster.modeMeaning(mode) + ")");
    if (manager instanceof ManagerBase m) {
      filter(done, source, "sessionAttributeNameFilter", m.getSessionAttributeNameFilter());
      filter(
          done,
          source,
          "sessionAttributeValueClassNameFilter",
          m.getSessionAttributeValueClassNameFilter());
      if (m.getWarnOnSessionAttributeFilterFailure()) {
        filter(done, source, "warnOnSessionAttributeFilterFailure", "true");
      }
    }
    warn(
        source,
        "mapped to "
            + String.join(", ", done)
            + "; its other attributes are not read (Cohort's go on <Cluster>: "
            + MIGRATE
            + ")");
  }

  private void filter(List<String> done, String source, String attribute, String value) {
    if (value != null && !value.isEmpty()) {
      mapped.add(new Mapped(attribute, value, source));
      done.add(attribute + "=\"" + value + "\"");
    }
  }

  /** {@code <Channel>}: Tribes' whole transport, never used. */
  void channel(Object channel) {
    warn(
        "<Channel className=\"" + channel.getClass().getName() + "\">",
        "ignored" + contents(channel) + ": " + TomcatCluster.CHANNEL + " (" + MIGRATE + ")");
  }

  /**
   * {@code <Valve>}: a ReplicationValve's filter becomes replicationFilter; no valve is added.
   *
   * @param type the valve's class name
   */
  void valve(String type, Object valve) {
    String source = "<Valve className=\"" + type + "\">";
    String filter =
        TomcatCluster.REPLICATION_VALVE.equals(type) ? property(valve, "getFilter") : "";
    if (filter != null && !filter.isEmpty()) {
      mapped.add(new Mapped("replicationFilter", filter, source));
      warn(
          source,
          "not added ("
              + TomcatCluster.valve(type)
              + "); its filter is mapped to replicationFilter=\""
              + filter
              + "\" (matched case-insensitively)");
    } else {
      warn(source, "not added: " + TomcatCluster.valve(type));
    }
  }

  /** {@code <Deployer>}: ignored; the farm is Cohort's own. */
  void deployer(Object deployer) {
    warn(
        "<Deployer className=\"" + deployer.getClass().getName() + "\">",
        "ignored: " + TomcatCluster.DEPLOYER);
  }

  /** {@code <ClusterListener>}: ignored. */
  void clusterListener(Object listener) {
    String type = listener.getClass().getName();
    warn(
        "<ClusterListener className=\"" + type + "\">",
        "ignored: " + TomcatCluster.clusterListener(type));
  }

  /** SimpleTcpCluster's {@code channelSendOptions}: mapped to sync at start. */
  void channelSendOptions(String value) {
    channelSendOptions = value;
  }

  /** One of SimpleTcpCluster's attributes that Cohort has no use for. */
  void ignoredAttribute(String name) {
    warn(
        "attribute " + name,
        "ignored: "
            + TomcatCluster.ignoredClusterAttribute(name).orElse("Cohort has no equivalent"));
  }

  /**
   * Applies the mapped values to {@code settings}, where {@code explicit} names the attributes that
   * {@code <Cluster>} set itself.
   *
   * @throws IllegalArgumentException naming the attribute, when a mapped value contradicts one set
   *     on {@code <Cluster>}, or channelSendOptions is not valid
   */
  void applyTo(CohortSettings settings, Set<String> explicit) {
    List<Mapped> all = new ArrayList<>(mapped);
    String options = channelSendOptions;
    if (options != null) {
      TomcatCluster.SendOptions o = TomcatCluster.sendOptions(options);
      String source = "channelSendOptions=\"" + options + "\"";
      all.add(new Mapped("sync", String.valueOf(o.sync()), source));
      warn(
          "attribute " + source,
          "mapped to sync=\""
              + o.sync()
              + "\": "
              + o.meaning()
              + (o.ignored().isEmpty() ? "" : "; ignored: " + String.join(", ", o.ignored())));
    }
    for (Mapped m : all) {
      String current = get(settings, m.attribute());
      if (explicit.contains(m.attribute()) && !Objects.equals(current, m.value())) {
        throw new IllegalArgumentException(
            m.attribute()
                + ": <Cluster "
                + m.attribute()
                + "=\""
                + current
                + "\"> and "
                + m.source()
                + " ("
                + m.attribute()
                + "=\""
                + m.value()
                + "\") disagree — remove one of them");
      }
      set(settings, m.attribute(), m.value());
    }
  }

  private static String get(CohortSettings s, String attribute) {
    return switch (attribute) {
      case "mode" -> s.mode;
      case "sync" -> String.valueOf(s.sync);
      case "replicationFilter" -> s.replicationFilter;
      case "sessionAttributeNameFilter" -> s.sessionAttributeNameFilter;
      case "sessionAttributeValueClassNameFilter" -> s.sessionAttributeValueClassNameFilter;
      case "warnOnSessionAttributeFilterFailure" ->
          String.valueOf(s.warnOnSessionAttributeFilterFailure);
      default -> throw new IllegalStateException("not a mapped attribute: " + attribute);
    };
  }

  private static void set(CohortSettings s, String attribute, String value) {
    switch (attribute) {
      case "mode" -> s.mode = value;
      case "sync" -> s.sync = Boolean.parseBoolean(value);
      case "replicationFilter" -> s.replicationFilter = value;
      case "sessionAttributeNameFilter" -> s.sessionAttributeNameFilter = value;
      case "sessionAttributeValueClassNameFilter" -> s.sessionAttributeValueClassNameFilter = value;
      case "warnOnSessionAttributeFilterFailure" ->
          s.warnOnSessionAttributeFilterFailure = Boolean.parseBoolean(value);
      default -> throw new IllegalStateException("not a mapped attribute: " + attribute);
    }
  }

  private static void warn(String element, String what) {
    log.warn("cohort: <Cluster> " + element + " " + what);
  }

  /** " (membership McastService, receiver NioReceiver, ...)" of a GroupChannel, as far as known. */
  private static String contents(Object channel) {
    List<String> parts = new ArrayList<>();
    part(parts, "membership", invoke(channel, "getMembershipService"));
    part(parts, "receiver", invoke(channel, "getChannelReceiver"));
    part(parts, "sender", invoke(channel, "getChannelSender"));
    if (invoke(channel, "getInterceptors") instanceof Iterator<?> it && it.hasNext()) {
      List<String> names = new ArrayList<>();
      it.forEachRemaining(i -> names.add(i.getClass().getSimpleName()));
      parts.add("interceptors " + String.join(", ", names));
    }
    return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
  }

  private static void part(List<String> parts, String what, Object value) {
    if (value != null) {
      parts.add(what + " " + value.getClass().getSimpleName());
    }
  }

  private static String property(Object o, String getter) {
    return invoke(o, getter) instanceof String s ? s : null;
  }

  /** A public no-argument method of a Tomcat object, or null (it is only described). */
  private static Object invoke(Object o, String name) {
    try {
      Method m = o.getClass().getMethod(name);
      return m.invoke(o);
    } catch (ReflectiveOperationException | SecurityException | LinkageError e) {
      return null;
    }
  }
}
