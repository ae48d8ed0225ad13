package dev.cohort.core.engine;

/**
 * A replication did not complete (sync timeout, remote failure). The message follows the project
 * shape: what failed [session (never its id: a hash prefix), targets, who acknowledged, elapsed,
 * view]: why — what to do.
 */
public class ReplicationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReplicationException(String message, Throwable cause) {
    super(message, cause);
  }
}
