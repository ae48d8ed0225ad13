package dev.cohort.cli.chaos;

import java.time.Duration;

/**
 * One injected fault and how long the cluster took to recover from it.
 *
 * @param atSeconds seconds since the load started
 * @param kind {@code kill -9}, {@code kill -9 x2} (crashes), {@code restart} (graceful stop, drain,
 *     start), {@code freeze} (SIGSTOP, SIGCONT) or {@code partition} (cut, heal)
 * @param node the node's name, or names joined by {@code +}
 * @param recovery from the fault until the nodes were back healthy in a full view; null if they
 *     never recovered within the bound
 * @param problem why it did not recover (null when it did)
 */
record Fault(double atSeconds, String kind, String node, Duration recovery, String problem) {
  Fault(double atSeconds, String kind, String node, Duration recovery) {
    this(atSeconds, kind, node, recovery, null);
  }
}
