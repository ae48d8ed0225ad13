package dev.cohort.core.engine;

/**
 * A commit refused because this member does not own the session (any more): another member took it
 * over while the request ran, or it was handed away. The change was applied nowhere; the adapter
 * forgets its local copy and the client should retry, which reaches the current owner (or takes the
 * session over again).
 */
public final class OwnershipLostException extends ReplicationException {
  private static final long serialVersionUID = 1L;

  public OwnershipLostException(String message) {
    super(message, null);
  }
}
