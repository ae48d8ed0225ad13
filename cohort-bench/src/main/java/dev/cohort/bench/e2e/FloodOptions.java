package dev.cohort.bench.e2e;

import java.nio.file.Path;
import java.util.Set;

/**
 * What one {@link FloodBench} run does. Every phase is bounded in time; the flood is bounded in
 * rate and time.
 *
 * @param nodes Cohort nodes (backup mode, k=1, sync), one JVM each
 * @param users ordinary users, each sticky to the node of its cookie's route
 * @param userRate requests per second of all ordinary users together (paced, not a closed loop)
 * @param floodRate requests per second of the flood
 * @param floodConnections keep-alive connections (threads) the flood is spread over
 * @param floodKind {@code wellformed}: 32 hex characters and a member's route, never issued by the
 *     cluster; {@code malformed}: ids no Cohort node can have issued (wrong length or characters)
 * @param warmupSeconds ordinary users only, not measured (JIT warm-up)
 * @param baselineSeconds ordinary users only, measured
 * @param floodSeconds ordinary users and the flood, measured
 * @param afterSeconds ordinary users only after the flood, measured
 * @param store {@code none}, {@code file} (one file store shared by the nodes, the durable tier)
 * @param heap each node's -Xmx
 * @param out where {@code flood.md} and the node logs go
 */
public record FloodOptions(
    int nodes,
    int users,
    int userRate,
    int floodRate,
    int floodConnections,
    String floodKind,
    int warmupSeconds,
    int baselineSeconds,
    int floodSeconds,
    int afterSeconds,
    String store,
    String heap,
    Path out) {

  static final Set<String> KINDS = Set.of("wellformed", "malformed");
  static final Set<String> STORES = Set.of("none", "file");

  public FloodOptions {
    at("--nodes", nodes, 2, 5);
    at("--users", users, 1, 2000);
    at("--user-rate", userRate, 1, 5000);
    at("--flood-rate", floodRate, 0, 50_000);
    at("--flood-connections", floodConnections, 1, 4096);
    at("--warmup", warmupSeconds, 0, 120);
    at("--baseline", baselineSeconds, 1, 120);
    at("--flood-seconds", floodSeconds, 1, 120);
    at("--after", afterSeconds, 0, 120);
    if (!KINDS.contains(floodKind)) {
      throw new IllegalArgumentException(
          "--flood-kind: '" + floodKind + "' is not one of " + KINDS);
    }
    if (!STORES.contains(store)) {
      throw new IllegalArgumentException("--store: '" + store + "' is not one of " + STORES);
    }
  }

  private static void at(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          name + ": " + v + " is not between " + min + " and " + max);
    }
  }

  /** 3 nodes, 60 users at 300 req/s, a 10,000 req/s well-formed flood for 20 s, a file store. */
  public static FloodOptions defaults() {
    return new FloodOptions(
        3,
        60,
        300,
        10_000,
        48,
        "wellformed",
        10,
        20,
        20,
        10,
        "file",
        "512m",
        Path.of("cohort-bench", "target", "flood"));
  }

  /** {@code --key value} arguments over {@link #defaults()}. */
  public static FloodOptions parse(String[] args) {
    FloodOptions d = defaults();
    int nodes = d.nodes;
    int users = d.users;
    int userRate = d.userRate;
    int floodRate = d.floodRate;
    int conns = d.floodConnections;
    String kind = d.floodKind;
    int warmup = d.warmupSeconds;
    int baseline = d.baselineSeconds;
    int flood = d.floodSeconds;
    int after = d.afterSeconds;
    String store = d.store;
    String heap = d.heap;
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
        case "--nodes" -> nodes = NodeOptions.intOption(key, v);
        case "--users" -> users = NodeOptions.intOption(key, v);
        case "--user-rate" -> userRate = NodeOptions.intOption(key, v);
        case "--flood-rate" -> floodRate = NodeOptions.intOption(key, v);
        case "--flood-connections" -> conns = NodeOptions.intOption(key, v);
        case "--flood-kind" -> kind = v;
        case "--warmup" -> warmup = NodeOptions.intOption(key, v);
        case "--baseline" -> baseline = NodeOptions.intOption(key, v);
        case "--flood-seconds" -> flood = NodeOptions.intOption(key, v);
        case "--after" -> after = NodeOptions.intOption(key, v);
        case "--store" -> store = v;
        case "--heap" -> heap = v;
        case "--out" -> out = Path.of(v);
        default -> throw new IllegalArgumentException(key + ": unknown option\n" + usage());
      }
    }
    return new FloodOptions(
        nodes, users, userRate, floodRate, conns, kind, warmup, baseline, flood, after, store, heap,
        out);
  }

  static String usage() {
    return "usage: FloodBench [--nodes 3] [--users 60] [--user-rate 300] [--flood-rate 10000]"
        + " [--flood-connections 48] [--flood-kind wellformed|malformed] [--warmup 10]"
        + " [--baseline 20] [--flood-seconds 20] [--after 10] [--store file|none] [--heap 512m]"
        + " [--out DIR]";
  }
}
