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
