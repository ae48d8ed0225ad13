package dev.cohort.core.engine;

import dev.cohort.core.session.SessionRecord;

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

  /**
   * The ownership term of the owner this copy follows (this member's when owned): one more at every
   * change of owner, so two claims on the same version are ordered ({@link #compare}). A copy is 40
   * bytes (compressed references).
   */
  int term;

  /**
   * For an owned session: the route names that hold (or are being sent) the current record, and the
   * view they were computed in (a stale view event changes nothing). Shared between sessions.
   */
  Holders holders = Holders.NONE;

  /** The owner's access time changed since it was last sent to the holders. */
  boolean accessDirty;

  /**
   * Clock millis of the last exchange with the other side: for an owned session, when its access
   * time was last sent to the holders; for a replica, when this member last heard from the owner.
   * One field for both keeps a replica copy small (on a change of role the old value only makes the
   * next touch come sooner, or a replica wait for its last access to age out).
   */
  long exchangedAt;

  Entry(SessionRecord record, String owner, boolean owned, int term, long now) {
    this.record = record;
    this.owner = owner;
    this.owned = owned;
    this.term = term;
    this.exchangedAt = now;
  }

  /**
   * Orders two claims on one session: the newer version wins (no copy ever goes back), then the
   * later ownership term — a take-over, caretaker or hand-over owns the session one term after
   * every owner it heard of, so at one version the former owner's late messages lose. Zero when
   * both are the same claim (two owners of one term and version: the caller decides by name).
   */
  static int compare(int term1, long version1, int term2, long version2) {
    return version1 != version2 ? Long.compare(version1, version2) : Integer.compare(term1, term2);
  }

  /** {@link #compare} of a claim against this copy. */
  int compareTo(int otherTerm, long otherVersion) {
    return compare(term, version(), otherTerm, otherVersion);
  }

  long version() {
    return record.version();
  }
}
