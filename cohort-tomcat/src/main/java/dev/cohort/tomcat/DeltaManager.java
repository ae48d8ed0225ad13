package dev.cohort.tomcat;

/**
 * Migration name for Tomcat's {@code org.apache.catalina.ha.session.DeltaManager}: mode {@code all}
 * (every member holds every session). Also takes every {@link ReplicatedManager} attribute.
 */
public class DeltaManager extends CompatibilityManager {

  public DeltaManager() {
    super("all");
  }

  /** Cohort streams state in bounded chunks, always; accepted and ignored. */
  public void setSendAllSessions(boolean sendAll) {
    ignored("sendAllSessions");
  }

  public void setSendAllSessionsSize(int size) {
    ignored("sendAllSessionsSize");
  }

  public void setSendAllSessionsWaitTime(int ms) {
    ignored("sendAllSessionsWaitTime");
  }

  /** Cohort orders by session version, not timestamps; accepted and ignored. */
  public void setStateTimestampDrop(boolean drop) {
    ignored("stateTimestampDrop");
  }
}
