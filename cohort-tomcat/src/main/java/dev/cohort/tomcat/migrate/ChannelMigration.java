package dev.cohort.tomcat.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * A Tribes {@code <Channel>} in Cohort's terms: dropped as a whole, and what its membership,
 * receiver and static members said about addresses and timing mapped to CohortCluster's attributes.
 */
final class ChannelMigration {
  private static final String MULTICAST_ADDRESS = "228.0.0.4";
  private static final String MULTICAST_PORT = "45564";
  private static final String FAILURE_DETECTION =
      "Cohort's failure detection (heartbeat, dropTime) is built in";

  private static final Map<String, String> INTERCEPTORS =
      Map.of(
          "TcpFailureDetector",
          FAILURE_DETECTION,
          "TcpPingInterceptor",
          FAILURE_DETECTION,
          "MessageDispatchInterceptor",
          "asynchronous sending is sync=\"false\" on <Cluster>",
          "EncryptInterceptor",
          "Cohort encrypts and authenticates all cluster traffic with secret or secretFile on"
              + " <Cluster> (16+ characters); Tribes' encryptionKey is not reused");

  private final ClusterMigration m;
  private final List<String> staticMembers = new ArrayList<>();
  private String multicast;

  private ChannelMigration(ClusterMigration m) {
    this.m = m;
  }

  static void of(Element channel, ClusterMigration m) {
    m.drop(Xml.describe(channel), TomcatCluster.CHANNEL);
    ChannelMigration c = new ChannelMigration(m);
    for (Element child : Xml.children(channel)) {
      switch (child.getTagName()) {
        case "Membership" -> c.membership(child);
        case "Receiver" -> c.receiver(child);
        case "Sender" -> m.drop(Xml.describe(child), "JGroups' TCP transport takes its place");
        case "Interceptor" -> c.interceptor(child);
        default -> m.drop("<Channel> " + Xml.describe(child), "no equivalent in Cohort");
      }
    }
    c.discovery();
  }

  /** Static members win over a multicast group (Tomcat's static setups keep McastService). */
  private void discovery() {
    String def = "multicast:" + MULTICAST_ADDRESS + ":" + MULTICAST_PORT;
    if (!staticMembers.isEmpty()) {
      m.map(
          "<Channel> static members",
          "discovery",
          "static:" + String.join(",", staticMembers),
          "list every member, this node included, the same on every node");
    } else if (def.equals(multicast)) {
      m.note(
          "same",
          "<Membership> address/port",
          "Cohort's default discovery (multicast " + def.substring(10) + ")");
    } else if (multicast != null) {
      m.map("<Membership> address/port", "discovery", multicast, "the same multicast group");
    }
  }

  private void membership(Element membership) {
    String type = membership.getAttribute("className");
    if (type.endsWith(".StaticMembershipService")) {
      members(membership);
      others(membership, List.of());
      return;
    }
    if (type.endsWith(".CloudMembershipService")) {
      m.drop(
          Xml.describe(membership),
          "on Kubernetes, discovery=\"dns:<headless service name>\" on <Cluster> takes its place");
      return;
    }
    String address = membership.getAttribute("address");
    String port = membership.getAttribute("port");
    if (!address.isEmpty() || !port.isEmpty()) {
      multicast =
          "multicast:"
              + (address.isEmpty() ? MULTICAST_ADDRESS : address)
              + ":"
              + (port.isEmpty() ? MULTICAST_PORT : port);
    }
    attribute(membership, "frequency", "heartbeat", "the failure-detection heartbeat, ms");
    attribute(membership, "dropTime", "dropTime", "a member silent this long is removed, ms");
    others(membership, List.of("address", "port", "frequency", "dropTime"));
  }

  private void receiver(Element receiver) {
    String address = receiver.getAttribute("address");
    if (!address.isEmpty() && !address.equals("auto")) {
      attribute(receiver, "address", "bindAddress", "the address of the cluster transport");
    }
    attribute(receiver, "port", "port", "the first cluster port");
    attribute(receiver, "autoBind", "portRange", "how many ports after it are tried");
    others(receiver, List.of("address", "port", "autoBind"));
  }

  private void interceptor(Element interceptor) {
    String type = interceptor.getAttribute("className");
    String simple = type.substring(type.lastIndexOf('.') + 1);
    if (simple.equals("StaticMembershipInterceptor")) {
      members(interceptor);
      m.drop(Xml.describe(interceptor), "its members are mapped to discovery");
      return;
    }
    m.drop(
        Xml.describe(interceptor),
        INTERCEPTORS.getOrDefault(
            simple, "Cohort builds its JGroups stack from its own attributes: no place for it"));
  }

  /** Static members (Member, LocalMember: host, port) become discovery="static:...". */
  private void members(Element parent) {
    for (Element member : Xml.children(parent)) {
      String host = member.getAttribute("host");
      String port = member.getAttribute("port");
      if (host.isEmpty() || port.isEmpty()) {
        m.drop(Xml.describe(member), "a member needs host and port");
      } else {
        staticMembers.add(host + ":" + port);
      }
    }
  }

  private void attribute(Element e, String name, String attribute, String why) {
    String value = e.getAttribute(name);
    if (!value.isEmpty()) {
      m.map("<" + e.getTagName() + "> " + name + "=\"" + value + "\"", attribute, value, why);
    }
  }

  /** The attributes not in {@code used} (nor className), in one note. */
  private void others(Element e, List<String> used) {
    List<String> rest = new ArrayList<>();
    for (Map.Entry<String, String> a : Xml.attributes(e).entrySet()) {
      if (!a.getKey().equals("className") && !used.contains(a.getKey())) {
        rest.add(a.getKey() + "=\"" + a.getValue() + "\"");
      }
    }
    if (!rest.isEmpty()) {
      m.drop(
          "<" + e.getTagName() + "> " + String.join(" ", rest),
          "no equivalent in Cohort's transport");
    }
  }
}
