package dev.cohort.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What one {@link E2eBench} run does. Every duration is bounded; {@code maxSeconds} caps the whole
 * run (scenarios that would start after it are skipped and reported as such).
 */
public record E2eOptions(
    List<SystemKind> systems,
    Set<String> scenarios,
    int nodes,
    int users,
    int threads,
    int warmupSeconds,
    int durationSeconds,
    int rounds,
    List<SystemKind> failoverSystems,
    List<SystemKind> transferSystems,
    List<Integer> transferSizes,
    String heap,
    int maxSeconds,
    Path out) {

  public static final Set<String> SCENARIOS = Set.of("steady", "failover", "transfer");

  public E2eOptions {
    systems = List.copyOf(systems);
    scenarios = Set.copyOf(scenarios);
    failoverSystems = List.copyOf(failoverSystems);
    transferSystems = List.copyOf(transferSystems);
    transferSizes = List.copyOf(transferSizes);
    for (String s : scenarios) {
      if (!SCENARIOS.contains(s)) {
        throw new IllegalArgumentException("--scenarios: unknown '" + s + "', use " + SCENARIOS);
      }
    }
    positive("--nodes", nodes, 2);
    positive("--users", users, 1);
    positive("--threads", threads, 1);
    positive("--warmup", warmupSeconds, 0);
    positive("--duration", durationSeconds, 1);
    positive("--rounds", rounds, 1);
    positive("--max-seconds", maxSeconds, 10);
    if (durationSeconds > 600 || warmupSeconds > 600) {
      throw new IllegalArgumentException("--duration/--warmup: at most 600 s each");
    }
  }

  private static void positive(String name, int v, int min) {
    if (v < min) {
      throw new IllegalArgumentException(name + ": " + v + " is below " + min);
    }
  }

  /** The defaults: every system, all scenarios, 3 nodes, 200 users, 5 s + 10 s, 8 minutes. */
  public static E2eOptions defaults() {
    return new E2eOptions(
        List.of(SystemKind.values()),
        SCENARIOS,
        3,
        200,
        32,
        5,
        10,
        1,
        List.of(
            SystemKind.TOMCAT_DELTA_ASYNC,
            SystemKind.TOMCAT_BACKUP,
            SystemKind.COHORT_BACKUP_ASYNC,
            SystemKind.COHORT_BACKUP_SYNC),
        List.of(SystemKind.TOMCAT_DELTA_ASYNC, SystemKind.COHORT_ALL_ASYNC),
        List.of(20_000, 100_000),
        "1g",
        480,
        Path.of("cohort-bench", "target", "e2e"));
  }

  /** {@code --key value} arguments over {@link #defaults()}. */
  public static E2eOptions parse(String[] args) {
    E2eOptions d = defaults();
    List<SystemKind> systems = d.systems;
    Set<String> scenarios = d.scenarios;
    int nodes = d.nodes;
    int users = d.users;
    int threads = d.threads;
    int warmup = d.warmupSeconds;
    int duration = d.durationSeconds;
    int rounds = d.rounds;
    List<SystemKind> failover = d.failoverSystems;
    List<SystemKind> transfer = d.transferSystems;
    List<Integer> sizes = d.transferSizes;
    String heap = d.heap;
    int max = d.maxSeconds;
    Path out = d.out;
    for (int i = 0; i < args.length; i++) {
      String key = args[i];
      if (key.equals("--help") || key.equals("-h")) {
        throw new IllegalArgumentException(usage());
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(key + ": missing value");
      }
      String v = args[++i];
      switch (key) {
        case "--systems" -> systems = systems(v);
        case "--scenarios" -> scenarios = Set.of(v.split(","));
        case "--nodes" -> nodes = NodeOptions.intOption(key, v);
        case "--users" -> users = NodeOptions.intOption(key, v);
        case "--threads" -> threads = NodeOptions.intOption(key, v);
        case "--warmup" -> warmup = NodeOptions.intOption(key, v);
        case "--duration" -> duration = NodeOptions.intOption(key, v);
        case "--rounds" -> rounds = NodeOptions.intOption(key, v);
        case "--failover-systems" -> failover = systems(v);
        case "--transfer-systems" -> transfer = systems(v);
        case "--transfer-sizes" -> {
          List<Integer> l = new ArrayList<>();
          for (String s : v.split(",")) {
            l.add(NodeOptions.intOption(key, s));
          }
          sizes = l;
        }
        case "--heap" -> heap = v;
        case "--max-seconds" -> max = NodeOptions.intOption(key, v);
        case "--out" -> out = Path.of(v);
        default -> throw new IllegalArgumentException(key + ": unknown option\n" + usage());
      }
    }
    return new E2eOptions(
        systems, scenarios, nodes, users, threads, warmup, duration, rounds, failover, transfer,
        sizes, heap, max, out);
  }

  private static List<SystemKind> systems(String v) {
    return Arrays.stream(v.split(",")).map(SystemKind::of).toList();
  }

  static String usage() {
    return "usage: E2eBench [--systems a,b] [--scenarios steady,failover,transfer] [--nodes 3]"
        + " [--users 200] [--threads 32] [--warmup 5] [--duration 10] [--rounds 1]"
        + " [--failover-systems a,b] [--transfer-systems a,b] [--transfer-sizes 20000,100000]"
        + " [--heap 1g] [--max-seconds 480] [--out DIR]\n  systems: "
        + Arrays.toString(SystemKind.values());
  }
}
