package dev.cohort.cli.chaos;

import java.util.Arrays;

/** Request latencies in microseconds, bounded in number; percentiles by sorting at the end. */
final class Latencies {
  static final int MAX_SAMPLES = 4_000_000;
  private long[] micros = new long[1024];
  private int n;
  private long max;

  synchronized void add(long us) {
    max = Math.max(max, us);
    if (n == MAX_SAMPLES) {
      return;
    }
    if (n == micros.length) {
      micros = Arrays.copyOf(micros, Math.min(MAX_SAMPLES, n * 2));
    }
    micros[n++] = us;
  }

  /** p in (0, 100]; 0 when empty. Nearest-rank. */
  synchronized long percentile(double p) {
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(micros, n);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * n);
    return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
  }

  synchronized long max() {
    return max;
  }

  synchronized int count() {
    return n;
  }
}
