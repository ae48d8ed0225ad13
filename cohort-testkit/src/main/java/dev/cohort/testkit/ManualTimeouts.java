package dev.cohort.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Timeouts driven by a {@link ManualClock}: due tasks run on the thread that moves the clock, in
 * deadline order. Thread-safe.
 */
final class ManualTimeouts {
  private record Entry(long dueMillis, long order, Runnable task) {}

  private final ManualClock clock;
  private final List<Entry> entries = new ArrayList<>();
  private long order;

  ManualTimeouts(ManualClock clock) {
    this.clock = clock;
    clock.addListener(this::fireDue);
  }

  Runnable schedule(Runnable task, Duration timeout) {
    Entry e;
    synchronized (this) {
      e = new Entry(clock.millis() + Math.max(0, timeout.toMillis()), order++, task);
      entries.add(e);
    }
    if (timeout.isZero() || timeout.isNegative()) {
      fireDue();
    }
    return () -> {
      synchronized (this) {
        entries.remove(e);
      }
    };
  }

  private void fireDue() {
    long now = clock.millis();
    List<Entry> due = new ArrayList<>();
    synchronized (this) {
      for (Entry e : entries) {
        if (e.dueMillis() <= now) {
          due.add(e);
        }
      }
      entries.removeAll(due);
    }
    due.sort(
        (a, b) ->
            a.dueMillis() != b.dueMillis()
                ? Long.compare(a.dueMillis(), b.dueMillis())
                : Long.compare(a.order(), b.order()));
    due.forEach(e -> e.task().run());
  }
}
