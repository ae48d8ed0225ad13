package dev.cohort.tomcat.migrate;

import java.util.Map;

/**
 * The attributes of a {@code <Manager>} template (DeltaManager, BackupManager) in Cohort's terms.
 */
final class ManagerAttributes {
  private static final String LISTENERS =
      "Cohort fires session listeners once in the cluster, on the owner; replicas hold bytes only";
  private static final String NONE = "no equivalent in Cohort";

  private static final Map<String, String> DROPPED =
      Map.ofEntries(
          Map.entry("notifyListenersOnReplication", LISTENERS),
          Map.entry("notifySessionListenersOnReplication", LISTENERS),
          Map.entry("notifyContainerListenersOnReplication", LISTENERS),
          Map.entry("sendAllSessions", "Cohort streams state in bounded chunks, always"),
          Map.entry("sendAllSessionsSize", "Cohort streams state in bounded chunks, always"),
          Map.entry("sendAllSessionsWaitTime", "Cohort streams state in bounded chunks, always"),
          Map.entry("stateTimestampDrop", "Cohort orders changes by session version"),
          Map.entry("mapSendOptions", "sync on <Cluster> decides for every message"),
          Map.entry("name", NONE),
          Map.entry("recordAllActions", NONE),
          Map.entry("enableStatistics", NONE),
          Map.entry("terminateOnStartFailure", NONE),
          Map.entry("accessTimeout", NONE));

  private ManagerAttributes() {}

  static void migrate(String name, String value, ClusterMigration m) {
    String source = "<Manager> " + name + "=\"" + value + "\"";
    switch (name) {
      case "expireSessionsOnShutdown" ->
          m.map(source, name, value, "true expires the sessions of a stopping node cluster-wide");
      case "stateTransferTimeout" -> seconds(source, value, m);
      case "rpcTimeout" ->
          m.map(source, "syncTimeout", value, "the wait for acknowledgements and take-overs, ms");
      case "sessionAttributeNameFilter",
          "sessionAttributeValueClassNameFilter",
          "warnOnSessionAttributeFilterFailure" ->
          m.map(source, name, value, "the same filter, for every distributable context");
      default ->
          m.drop(
              source,
              DROPPED.getOrDefault(
                  name,
                  "not a <Cluster> attribute: set it on a context's <Manager"
                      + " className=\"dev.cohort.tomcat.DeltaManager\"> (or BackupManager)"));
    }
  }

  /** Tomcat's stateTransferTimeout is in seconds, CohortCluster's in milliseconds. */
  private static void seconds(String source, String value, ClusterMigration m) {
    try {
      long ms = Long.parseLong(value.strip()) * 1000L;
      m.map(source, "stateTransferTimeout", String.valueOf(ms), "seconds in Tomcat, ms in Cohort");
    } catch (NumberFormatException e) {
      m.drop(source, "not a number of seconds");
    }
  }
}
