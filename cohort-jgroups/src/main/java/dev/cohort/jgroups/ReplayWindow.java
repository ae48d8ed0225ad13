package dev.cohort.jgroups;

/**
 * Which counters of one sender's stream were received, IPsec style: the highest counter seen and a
 * bitmap of the {@value #SIZE} below it. A counter seen before is a duplicate; one more than
 * {@value #SIZE} below the highest is too old to tell and refused too. Counters may arrive out of
 * order within the window (concurrent senders, a second connection). Thread-safe.
 */
final class ReplayWindow {
  static final int SIZE = 4096;

  /** What {@link #accept} decided. */
  enum Verdict {
    FRESH,
    DUPLICATE,
    TOO_OLD
  }

  private final long[] bits = new long[SIZE / Long.SIZE];
  private long highest = -1;
  private volatile long usedAt;

  ReplayWindow(long nowNanos) {
    this.usedAt = nowNanos;
  }

  /** Records {@code counter} (>= 0) if it was not seen before and is not too old. */
  synchronized Verdict accept(long counter, long nowNanos) {
    if (counter < 0) {
      return Verdict.TOO_OLD;
    }
    if (counter > highest) {
      long advance = highest < 0 ? SIZE : counter - highest;
      if (advance >= SIZE) {
        java.util.Arrays.fill(bits, 0L);
      } else {
        for (long c = highest + 1; c < counter; c++) {
          clear(c);
        }
      }
      highest = counter;
      set(counter);
      usedAt = nowNanos;
      return Verdict.FRESH;
    }
    if (highest - counter >= SIZE) {
      return Verdict.TOO_OLD;
    }
    if (isSet(counter)) {
      return Verdict.DUPLICATE;
    }
    set(counter);
    usedAt = nowNanos;
    return Verdict.FRESH;
  }

  /** When a counter was last accepted. */
  long usedAt() {
    return usedAt;
  }

  private static int slot(long c) {
    return (int) (c % SIZE);
  }

  private void set(long c) {
    int s = slot(c);
    bits[s >>> 6] |= 1L << (s & 63);
  }

  private void clear(long c) {
    int s = slot(c);
    bits[s >>> 6] &= ~(1L << (s & 63));
  }

  private boolean isSet(long c) {
    int s = slot(c);
    return (bits[s >>> 6] & (1L << (s & 63))) != 0;
  }
}
