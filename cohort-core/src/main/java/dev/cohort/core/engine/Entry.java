package dev.cohort.core.engine;

import dev.cohort.core.session.SessionRecord;
import java.util.List;

/**
 * What one member knows of one session: the record and who owns it; for an owned session, also the
 * holders it replicates to and when access times were last sent. Guarded by the session's stripe
 * lock in {@link Sessions}; read without the lock only for gauges.
 */
final class Entry {
  volatile SessionRecord record;

  /** The owner's route name (this member's when {@link #owned}). */
  volatile String owner;

  volatile boolean owned;

  /** For an owned session: the route names that hold (or are being sent) the current record. */
  List<String> holders = List.of();

  /** The id of the view {@link #holders} were computed in (a stale view event changes nothing). */
  long holdersView;

  /** The owner's access time changed since it was last sent to the holders. */
  boolean accessDirty;

  long touchSentAt;

  /** When this member last heard about the session from its owner (replicas), clock millis. */
  long lastHeard;

  Entry(SessionRecord record, String owner, boolean owned, long now) {
    this.record = record;
    this.owner = owner;
    this.owned = owned;
    this.touchSentAt = now;
    this.lastHeard = now;
  }

  long version() {
    return record.version();
  }
}
