package dev.cohort.core.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The records this member holds (owned and replicas) and the striped locks that serialize all work
 * on one session id. A lock is never held while waiting on the network.
 */
final class Sessions {
  private static final int STRIPES = 256;

  final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();

  /**
   * Sessions that ended here (invalidated or expired), until no copy of them can come back: a
   * member that was frozen or cut off meanwhile still holds one, and offers it at the merge or on a
   * claim.
   */
  final ConcurrentHashMap<String, Tombstone> ended = new ConcurrentHashMap<>();

  /**
   * @param version the last version of the session; {@code Long.MAX_VALUE} when unknown (any)
   * @param creationTime the session's creation time, or -1 when unknown (a reused id with another
   *     creation time is another session)
   * @param until clock millis after which the tombstone is forgotten
   */
  record Tombstone(long version, long creationTime, long until) {
    boolean covers(dev.cohort.core.session.SessionRecord r) {
      return r.version() <= version && (creationTime < 0 || creationTime == r.creationTime());
    }

    /** The removal to answer an offer of the ended session with. */
    dev.cohort.core.wire.Op.Remove removal(String id) {
      return new dev.cohort.core.wire.Op.Remove(
          id, version == Long.MAX_VALUE ? -1 : version, false);
    }
  }

  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  Sessions() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  ReentrantLock lock(String id) {
    return locks[stripe(id)];
  }

  int stripe(String id) {
    int h = id.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  int owned() {
    int n = 0;
    for (Entry e : map.values()) {
      if (e.owned) {
        n++;
      }
    }
    return n;
  }

  int replicas() {
    return map.size() - owned();
  }

  long heldBytes() {
    long n = 0;
    for (Entry e : map.values()) {
      n += e.record.valueBytes();
    }
    return n;
  }
}
