package dev.cohort.tomcat;

/**
 * Migration name for Tomcat's {@code org.apache.catalina.ha.session.BackupManager}: mode {@code
 * backup} with {@code backups} holders (default 1, as in Tomcat). Also takes every {@link
 * ReplicatedManager} attribute.
 */
public class BackupManager extends CompatibilityManager {

  public BackupManager() {
    super("backup");
  }

  /** Tomcat: timeout of the map's RPCs, ms; Cohort's take-over and ack timeout. */
  public void setRpcTimeout(long ms) {
    settings.syncTimeout = ms;
  }

  /** JGroups decides transport options; accepted and ignored. */
  public void setMapSendOptions(String options) {
    ignored("mapSendOptions");
  }

  public void setTerminateOnStartFailure(boolean terminate) {
    ignored("terminateOnStartFailure");
  }

  public void setAccessTimeout(long ms) {
    ignored("accessTimeout");
  }
}
