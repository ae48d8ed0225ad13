package dev.cohort.bench.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of one benchmark node, parsed from {@code --key value} arguments.
 *
 * @param system which clustering the node runs
 * @param name the node's jvmRoute
 * @param httpPort the HTTP port on 127.0.0.1, 0 for any free port
 * @param clusterPort this node's cluster (receiver) port
 * @param members every member's cluster address {@code 127.0.0.1:port}, this node's included
 * @param clusterName a cluster name unique to one run (Cohort)
 * @param expectSessions when positive, the node records how long after start it first held this
 *     many sessions (state transfer)
 * @param store a Cohort store spec ({@code file:DIR}, {@code jdbc:...}) for the durable tier, or
 *     null for none
 */
public record NodeOptions(
    SystemKind system,
    String name,
    int httpPort,
    int clusterPort,
    List<String> members,
    String clusterName,
    int expectSessions,
    String store) {

  public NodeOptions {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("--name: required");
    }
    if (system.replicated() && (clusterPort <= 0 || members.isEmpty())) {
      throw new IllegalArgumentException(
          "--cluster-port/--members: required for the replicated system " + system);
    }
    members = List.copyOf(members);
  }

  /** Without a store. */
  public NodeOptions(
      SystemKind system,
      String name,
      int httpPort,
      int clusterPort,
      List<String> members,
      String clusterName,
      int expectSessions) {
    this(system, name, httpPort, clusterPort, members, clusterName, expectSessions, null);
  }

  /**
   * Parses {@code --system --name [--http] [--cluster-port --members --cluster-name] [--expect]
   * [--store]}.
   */
  public static NodeOptions parse(String[] args) {
    SystemKind system = null;
    String name = null;
    int http = 0;
    int clusterPort = 0;
    List<String> members = new ArrayList<>();
    String clusterName = "bench";
    int expect = 0;
    String store = null;
    for (int i = 0; i < args.length; i++) {
      String key = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(key + ": missing value");
      }
      String v = args[++i];
      switch (key) {
        case "--system" -> system = SystemKind.of(v);
        case "--name" -> name = v;
        case "--http" -> http = intOption(key, v);
        case "--cluster-port" -> clusterPort = intOption(key, v);
        case "--members" -> members = List.of(v.split(","));
        case "--cluster-name" -> clusterName = v;
        case "--expect" -> expect = intOption(key, v);
        case "--store" -> store = v;
        default -> throw new IllegalArgumentException(key + ": unknown option");
      }
    }
    if (system == null) {
      throw new IllegalArgumentException("--system: required");
    }
    return new NodeOptions(system, name, http, clusterPort, members, clusterName, expect, store);
  }

  /** The arguments that {@link #parse} reads back. */
  public List<String> toArgs() {
    List<String> a = new ArrayList<>();
    a.addAll(List.of("--system", system.label(), "--name", name, "--http", "" + httpPort));
    if (system.replicated()) {
      a.addAll(List.of("--cluster-port", "" + clusterPort, "--members", String.join(",", members)));
      a.addAll(List.of("--cluster-name", clusterName));
    }
    if (expectSessions > 0) {
      a.addAll(List.of("--expect", "" + expectSessions));
    }
    if (store != null) {
      a.addAll(List.of("--store", store));
    }
    return a;
  }

  static int intOption(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + v + "' is not a number", e);
    }
  }
}
