package dev.cohort.cli.chaos;

import java.time.Duration;

/**
 * One injected fault and how long the cluster took to recover from it.
 *
 * @param atSeconds seconds since the load started
 * @param kind {@code kill -9} (crash) or {@code restart} (graceful stop, drain, start)
 * @param node the node's name
 * @param recovery from the fault until the node was back healthy in a full view; null if it never
 *     recovered within the bound
 */
record Fault(double atSeconds, String kind, String node, Duration recovery) {}
