package dev.cohort.core.engine;

/**
 * {@link SessionEngine#acquire} refused to look a session up because {@link
 * EngineConfig#maxLookups()} look-ups of sessions unknown to this member were already running.
 * Nothing was asked and nothing changed: the session, if it exists, is where it was. The adapter
 * answers the request with 503 and {@code Retry-After}; it must not create a new session for the
 * id, which may be live.
 */
public final class LookupRefusedException extends ReplicationException {
  private static final long serialVersionUID = 1L;

  public LookupRefusedException(String message) {
    super(message, null);
  }
}
