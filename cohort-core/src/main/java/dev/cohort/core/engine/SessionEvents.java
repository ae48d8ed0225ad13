package dev.cohort.core.engine;

import dev.cohort.core.session.SessionRecord;

/**
 * What the engine tells the container adapter. Called on engine threads; implementations must be
 * quick and must not call back into the engine for the same session synchronously... except {@link
 * SessionEngine#invalidate}, which is safe.
 */
public interface SessionEvents {

  /** No callbacks. */
  SessionEvents NONE = new SessionEvents() {};

  /**
   * Another member took ownership of the session: drop any local object of it without firing
   * listeners (the session lives on there).
   */
  default void ownershipLost(String id) {}

  /**
   * This member (owner or caretaker) expired the session: fire the session's destroy listeners
   * exactly once here. The record carries the attributes for the adapter to materialize. The engine
   * removes the session everywhere after this returns.
   */
  default void expired(SessionRecord record) {}

  /** A remote member invalidated a session that this member had materialized: drop it quietly. */
  default void removedRemotely(String id) {}

  /**
   * Attribute values the adapter refused to deserialize so far (a class not on the allow-list, a
   * value too costly to read): the engine never deserializes values itself and publishes this count
   * with its own in {@link EngineStats#deserializationRefusals()}. Must be cheap and thread-safe.
   */
  default long deserializationRefusals() {
    return 0;
  }
}
