package dev.cohort.tomcat.admin;

/**
 * The figures of one Cohort node over JMX ({@code dev.cohort:type=Node,node=<name>}), summed over
 * its engines. The same numbers as {@code /cohort/status}; counts and sizes only.
 */
public interface CohortNodeMXBean {
  String getNode();

  boolean isReady();

  long getViewId();

  String[] getMembers();

  int getEngines();

  long getSessionsOwned();

  long getSessionsReplicated();

  long getSessionsUnprotected();

  long getHeldBytes();

  long getDeltasSent();

  long getDeltasApplied();

  long getBytesSent();

  long getBytesReceived();

  long getGaps();

  long getConflicts();

  long getTakeovers();

  long getExpired();

  long getSyncTimeouts();

  long getMalformedFrames();

  long getAcks();

  double getAckLatencyAvgMicros();

  double getAckLatencyMaxMicros();

  long getTransferReceived();

  long getTransferExpected();
}
