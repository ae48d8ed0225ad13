package dev.cohort.cli.chaos;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What one chaos run breaks, and the cluster it breaks: each scenario is a fault plan repeated
 * until the duration is over, on a cluster shaped for it. Options given on the command line
 * (--node-count, --backups, --mode, --async) override the shape.
 */
enum Scenario {
  MIXED(
      "mixed",
      3,
      1,
      true,
      "kill -9 and graceful restarts in turn, one node at a time (the default plan)"),
  KILL("kill", 3, 1, true, "kill -9 of one node of 3 in turn, sync: 0 failed requests, 0 lost"),
  ROLLING("rolling", 3, 1, true, "rolling restart of every node (drain, start), k=1: 0 lost"),
  KILL_TWO("kill-two", 4, 2, true, "two of four nodes killed at once, k=2: 0 lost"),
  FREEZE(
      "freeze",
      3,
      1,
      true,
      "a node frozen (SIGSTOP) past the drop time, then SIGCONT: expelled, rejoins, never"
          + " overwrites newer state"),
  PARTITION(
      "partition",
      3,
      1,
      true,
      "network partition {2}|{1} in network namespaces (nft drop), then heal: no session goes"
          + " back in time"),
  ASYNC_KILL(
      "async-kill",
      3,
      1,
      false,
      "async replication, kill -9 of one node: the fraction of its sessions that come back stale"
          + " is measured (goal <= 1 %)");

  final String id;
  final int nodes;
  final int backups;
  final boolean sync;
  final String proves;

  Scenario(String id, int nodes, int backups, boolean sync, String proves) {
    this.id = id;
    this.nodes = nodes;
    this.backups = backups;
    this.sync = sync;
    this.proves = proves;
  }

  /**
   * Requests may fail while a node is frozen (it still accepts connections, requests to it time
   * out) and when two nodes die at once (the balancer retries an interrupted request once, and the
   * retry may land on the other dead node). The claim for these scenarios is about sessions only.
   */
  boolean failuresAllowed() {
    return this == FREEZE || this == KILL_TWO;
  }

  /** Async replication may lose the last changes of a killed owner: measured against a goal. */
  boolean staleMeasured() {
    return this == ASYNC_KILL;
  }

  /** The goal for the killed node's sessions that come back stale or lost, in async mode. */
  static final double ASYNC_STALE_GOAL = 0.01;

  static Scenario of(String id) {
    for (Scenario s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("--scenario: '" + id + "' is not one of " + ids() + ", all");
  }

  static String ids() {
    return Arrays.stream(values()).map(s -> s.id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id.toLowerCase(Locale.ROOT);
  }
}
