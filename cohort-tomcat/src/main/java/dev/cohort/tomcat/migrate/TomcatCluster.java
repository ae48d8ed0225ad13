package dev.cohort.tomcat.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Cohort makes of Tomcat's own cluster configuration ({@code SimpleTcpCluster}, its nested
 * {@code <Manager>}, {@code <Channel>}, {@code <Valve>}, {@code <Deployer>}, {@code
 * <ClusterListener>} and its attributes): the one place that knows Tomcat's class names and option
 * values. {@code CohortCluster} uses it for the objects Tomcat's server.xml digester hands it, and
 * {@link ServerXmlMigration} for the XML that {@code cohort migrate} reads.
 *
 * <p>Stateless and thread-safe.
 */
public final class TomcatCluster {
  public static final String SIMPLE_TCP_CLUSTER = "org.apache.catalina.ha.tcp.SimpleTcpCluster";
  public static final String DELTA_MANAGER = "org.apache.catalina.ha.session.DeltaManager";
  public static final String BACKUP_MANAGER = "org.apache.catalina.ha.session.BackupManager";
  public static final String REPLICATION_VALVE = "org.apache.catalina.ha.tcp.ReplicationValve";

  /** Why a {@code <Channel>} (and everything inside it) is not used. */
  public static final String CHANNEL =
      "Cohort replicates over its own JGroups channel: discovery, bindAddress, port, portRange,"
          + " heartbeat, dropTime and secret (or secretFile) on <Cluster> take its place";

  /** Why a {@code <Deployer>} is not used. */
  public static final String DEPLOYER =
      "Cohort's farm deploys WARs on every node once farmDir is set on <Cluster> (docs/farm.md);"
          + " it is never turned on from Tomcat's <Deployer>";

  /** A {@code <Manager>} template's attributes that Cohort carries over unchanged. */
  public static final List<String> MANAGER_FILTERS =
      List.of(
          "sessionAttributeNameFilter",
          "sessionAttributeValueClassNameFilter",
          "warnOnSessionAttributeFilterFailure");

  private static final Map<String, String> VALVES =
      Map.of(
          REPLICATION_VALVE,
          "Cohort adds its own valve, which replicates at the end of each request",
          "org.apache.catalina.ha.session.JvmRouteBinderValve",
          "Cohort moves a session to the node that serves it and rewrites its cookie itself",
          "org.apache.catalina.ha.authenticator.ClusterSingleSignOn",
          "Cohort does not replicate single sign-on: each node keeps its own");

  private static final Map<String, String> LISTENERS =
      Map.of(
          "org.apache.catalina.ha.session.ClusterSessionListener",
          "Cohort's engine receives session changes itself",
          "org.apache.catalina.ha.session.JvmRouteSessionIDBinderListener",
          "Cohort moves a session to the node that serves it and rewrites its cookie itself");

  private static final Map<String, String> CLUSTER_ATTRIBUTES =
      Map.of(
          "channelStartOptions", "Cohort starts its whole channel, always",
          "heartbeatBackgroundEnabled", "Cohort's failure detection runs on its own threads",
          "notifyLifecycleListenerOnFailure", "Cohort has no cluster lifecycle failure events");

  private TomcatCluster() {}

  /** Cohort's mode for one of Tomcat's cluster managers ({@code all}, {@code backup}), if it is. */
  public static Optional<String> mode(String managerClass) {
    if (DELTA_MANAGER.equals(managerClass)) {
      return Optional.of("all");
    }
    if (BACKUP_MANAGER.equals(managerClass)) {
      return Optional.of("backup");
    }
    return Optional.empty();
  }

  /** What a mode means, for a log line. */
  public static String modeMeaning(String mode) {
    return "all".equals(mode)
        ? "every member holds every session"
        : "each session has backups (1 unless set) other members as replica holders";
  }

  /** Why Cohort does not install a valve named in {@code <Cluster>}. */
  public static String valve(String className) {
    return VALVES.getOrDefault(
        className, "Tomcat takes only cluster valves from <Cluster>: put it in <Engine> or <Host>");
  }

  /** Why Cohort does not use a {@code <ClusterListener>}. */
  public static String clusterListener(String className) {
    return LISTENERS.getOrDefault(className, "Cohort has no listeners of cluster messages");
  }

  /** Why Cohort ignores one of SimpleTcpCluster's attributes; empty when it is not one. */
  public static Optional<String> ignoredClusterAttribute(String name) {
    return Optional.ofNullable(CLUSTER_ATTRIBUTES.get(name));
  }

  static Set<String> ignoredClusterAttributes() {
    return CLUSTER_ATTRIBUTES.keySet();
  }

  /**
   * Tomcat's {@code channelSendOptions} as Cohort's {@code sync}.
   *
   * @param value what the attribute says: a number (flags added up) or names ({@code async}, {@code
   *     use_ack,sync}, ...), as Tomcat's {@code Channel.parseSendOptions} reads them
   * @throws IllegalArgumentException naming channelSendOptions when the value is neither
   */
  public static SendOptions sendOptions(String value) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException(
          "channelSendOptions: empty — give a number (8, 6) or names (async, use_ack,sync)");
    }
    int bits = 0;
    try {
      bits = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      for (String name : v.split("\\s*,\\s*")) {
        bits |= optionBit(name);
      }
    }
    return new SendOptions(v, bits);
  }

  private static int optionBit(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "byte_message", "byte" -> SendOptions.BYTE_MESSAGE;
      case "use_ack" -> SendOptions.USE_ACK;
      case "synchronized_ack", "sync" -> SendOptions.SYNCHRONIZED_ACK;
      case "asynchronous", "async" -> SendOptions.ASYNCHRONOUS;
      case "secure" -> SendOptions.SECURE;
      case "udp" -> SendOptions.UDP;
      case "multicast" -> SendOptions.MULTICAST;
      default ->
          throw new IllegalArgumentException(
              "channelSendOptions: '"
                  + name
                  + "' is not one of Tomcat's send options — use async, use_ack, sync,"
                  + " byte_message, secure, udp, multicast or a number");
    };
  }

  /**
   * Tomcat's channel send flags ({@code org.apache.catalina.tribes.Channel.SEND_OPTIONS_*}) and
   * what Cohort makes of them: {@code sync} is true when Tomcat waited for an acknowledgement
   * ({@code use_ack}, with or without {@code sync}) and did not queue ({@code async}).
   *
   * @param value the attribute as written
   * @param bits the flags
   */
  public record SendOptions(String value, int bits) {
    static final int BYTE_MESSAGE = 1;
    static final int USE_ACK = 2;
    static final int SYNCHRONIZED_ACK = 4;
    static final int ASYNCHRONOUS = 8;
    static final int SECURE = 16;
    static final int UDP = 32;
    static final int MULTICAST = 64;

    /** Cohort's {@code sync} for these flags. */
    public boolean sync() {
      return (bits & ASYNCHRONOUS) == 0 && (bits & USE_ACK) != 0;
    }

    /** Why {@link #sync()} is what it is, for a log line or a comment. */
    public String meaning() {
      if ((bits & ASYNCHRONOUS) != 0) {
        return "Tomcat queued changes and sent them from another thread; with sync=\"false\" the"
            + " response does not wait for the replicas either";
      }
      if ((bits & USE_ACK) != 0 && (bits & SYNCHRONIZED_ACK) != 0) {
        return "Tomcat waited until the receivers had applied a change; with sync=\"true\" the"
            + " response waits until every replica holder has applied it";
      }
      if ((bits & USE_ACK) != 0) {
        return "Tomcat waited until the receivers had a change; with sync=\"true\" the response"
            + " waits until every replica holder has applied it (a little longer)";
      }
      return "Tomcat sent changes without waiting for an acknowledgement; with sync=\"false\" the"
          + " response waits only until a change has left the node";
    }

    /** The flags Cohort has no use for, each with the reason; empty when there are none. */
    public List<String> ignored() {
      List<String> out = new ArrayList<>();
      if ((bits & BYTE_MESSAGE) != 0) {
        out.add("byte_message (Cohort serializes attributes itself)");
      }
      if ((bits & SYNCHRONIZED_ACK) != 0 && (bits & USE_ACK) == 0) {
        out.add("sync without use_ack (no effect in Tomcat either)");
      }
      if ((bits & SECURE) != 0) {
        out.add("secure (not implemented in Tomcat; Cohort encrypts with secret)");
      }
      if ((bits & UDP) != 0) {
        out.add("udp (Cohort's transport is TCP)");
      }
      if ((bits & MULTICAST) != 0) {
        out.add("multicast (not implemented in Tomcat)");
      }
      if ((bits & ~127) != 0) {
        out.add((bits & ~127) + " (not a Tomcat send option)");
      }
      return out;
    }
  }
}
