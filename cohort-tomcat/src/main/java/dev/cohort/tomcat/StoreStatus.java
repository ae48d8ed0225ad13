package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngine;
import java.util.Optional;

/**
 * The health of an engine's session store, for {@code /cohort/status} and {@code /cohort/metrics}.
 * Engines built with a {@code store} (durable tier, {@link PersistentManager}) implement it; {@link
 * #of} finds it. Counts only.
 */
public interface StoreStatus {

  /** False from a failed back-end write until the next successful one (an outage). */
  boolean up();

  /** Sessions with writes not yet in the back-end. */
  long queued();

  /** Session writes given up because the queue was full (logged with the count). */
  long dropped();

  /** Back-end calls that failed (each one is retried). */
  long failures();

  /** Session writes the back-end accepted. */
  long written();

  /** The store's status of {@code engine}, empty when the engine has no store. */
  static Optional<StoreStatus> of(SessionEngine engine) {
    return engine instanceof StoreStatus s ? Optional.of(s) : Optional.empty();
  }
}
