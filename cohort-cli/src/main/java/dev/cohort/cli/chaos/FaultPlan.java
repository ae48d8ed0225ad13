package dev.cohort.cli.chaos;

import dev.cohort.cli.demo.DemoCluster;
import dev.cohort.cli.demo.Nodes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The faults of one {@link Scenario}, one step at a time: each step breaks the cluster, waits until
 * it has recovered (every node healthy again and in one full view, bounded) and returns what it did
 * as {@link Fault}s. A step that cannot recover returns a fault with no recovery time, and the run
 * stops injecting.
 */
final class FaultPlan {
  /**
   * What the plan tells the run, just before the signal: a node's sessions are about to be the
   * victims of a crash or freeze.
   */
  interface Listener {
    void struck(String node);

    /**
     * {@code node} is about to go down (killed, stopped or frozen): a request in flight on it may
     * be replayed on another node by the balancer, until {@link #left}.
     */
    default void leaving(String node) {}

    /** {@code node} is gone (or frozen no more): nothing of it is replayed anymore. */
    default void left(String node) {}
  }

  /** A cluster whose network can be cut: the nodes in {@code alone} hear no other node. */
  interface Partitionable {
    void partition(Set<Integer> alone) throws IOException, InterruptedException;

    void heal() throws IOException, InterruptedException;
  }

  static final long RECOVERY_NANOS = TimeUnit.SECONDS.toNanos(90);
  static final long EXPEL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Scenario scenario;
  private final Nodes nodes;
  private final Listener listener;
  private final Duration freezeFor;
  private final Duration partitionFor;

  FaultPlan(
      Scenario scenario,
      Nodes nodes,
      Listener listener,
      Duration freezeFor,
      Duration partitionFor) {
    this.scenario = scenario;
    this.nodes = nodes;
    this.listener = listener;
    this.freezeFor = freezeFor;
    this.partitionFor = partitionFor;
  }

  /** Step {@code step} of the plan (0, 1, 2, ...), done at {@code atSeconds} into the load. */
  List<Fault> step(int step, double atSeconds) throws InterruptedException {
    int n = nodes.size();
    int i = step % n;
    return switch (scenario) {
      case MIXED ->
          List.of(step % (n + 1) == 0 ? kill(Set.of(i), atSeconds) : restart(i, atSeconds));
      case KILL, ASYNC_KILL -> List.of(kill(Set.of(i), atSeconds));
      case KILL_TWO -> List.of(kill(Set.of(i, (i + 1) % n), atSeconds));
      case ROLLING -> rolling(atSeconds);
      case FREEZE -> List.of(freeze(i, atSeconds));
      case PARTITION -> List.of(partition(i, atSeconds));
    };
  }

  private Fault kill(Set<Integer> which, double at) throws InterruptedException {
    long t0 = System.nanoTime();
    Set<Integer> sorted = new TreeSet<>(which);
    try {
      for (int i : sorted) {
        listener.struck(nodes.name(i));
        listener.leaving(nodes.name(i));
      }
      try {
        for (int i : sorted) { // every signal first: the nodes die together
          ProcessHandle.of(pid(i)).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (int i : sorted) {
          nodes.kill(i); // returns once the process is gone
        }
      } finally {
        for (int i : sorted) {
          listener.left(nodes.name(i));
        }
      }
      awaitViewWithout(sorted, t0 + EXPEL_NANOS);
      for (int i : sorted) {
        nodes.restart(i);
      }
      return recovered(sorted.size() > 1 ? "kill -9 x" + sorted.size() : "kill -9", sorted, at, t0);
    } catch (IOException | IllegalStateException e) {
      return failed("kill -9", sorted, at, e);
    }
  }

  private Fault restart(int i, double at) throws InterruptedException {
    long t0 = System.nanoTime();
    try {
      listener.leaving(nodes.name(i));
      try {
        nodes.stop(i);
      } finally {
        listener.left(nodes.name(i));
      }
      nodes.restart(i);
      return recovered("restart", Set.of(i), at, t0);
    } catch (IOException | IllegalStateException e) {
      return failed("restart", Set.of(i), at, e);
    }
  }

  /** Every node in turn, each back in the full view before the next one stops. */
  private List<Fault> rolling(double at) throws InterruptedException {
    List<Fault> done = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < nodes.size(); i++) {
      double when = at + (System.nanoTime() - start) / 1e9;
      Fault f = restart(i, when);
      done.add(f);
      if (f.recovery() == null) {
        break;
      }
    }
    return done;
  }

  private Fault freeze(int i, double at) throws InterruptedException {
    long t0 = System.nanoTime();
    long pid = pid(i);
    listener.struck(nodes.name(i));
    listener.leaving(nodes.name(i));
    try {
      Signals.send("STOP", pid);
      awaitViewWithout(Set.of(i), t0 + EXPEL_NANOS);
      long left = freezeFor.toNanos() - (System.nanoTime() - t0);
      if (left > 0) {
        TimeUnit.NANOSECONDS.sleep(left);
      }
      Signals.send("CONT", pid);
      return recovered("freeze", Set.of(i), at, t0);
    } catch (IOException | IllegalStateException e) {
      return failed("freeze", Set.of(i), at, e);
    } finally {
      Signals.sendQuietly("CONT", pid); // never leave a node stopped
      listener.left(nodes.name(i));
    }
  }

  private Fault partition(int alone, double at) throws InterruptedException {
    if (!(nodes instanceof Partitionable net)) {
      throw new IllegalStateException("the partition scenario needs its network-namespace cluster");
    }
    long t0 = System.nanoTime();
    try {
      net.partition(Set.of(alone));
      awaitViewWithout(Set.of(alone), t0 + EXPEL_NANOS);
      awaitMembers(alone, 1, t0 + EXPEL_NANOS);
      long left = partitionFor.toNanos() - (System.nanoTime() - t0);
      if (left > 0) {
        TimeUnit.NANOSECONDS.sleep(left);
      }
      net.heal();
      return recovered("partition", Set.of(alone), at, t0);
    } catch (IOException | IllegalStateException e) {
      return failed("partition", Set.of(alone), at, e);
    } finally {
      try {
        net.heal();
      } catch (IOException e) {
        // reported by the recovery wait that follows or by the cleanup
      }
    }
  }

  /** Waits until every node of {@code which} is healthy and every node sees the full view. */
  private Fault recovered(String kind, Set<Integer> which, double at, long t0)
      throws InterruptedException {
    long deadline = System.nanoTime() + RECOVERY_NANOS;
    for (int i : which) {
      nodes.awaitHealthy(i, deadline);
    }
    nodes.awaitFullView(deadline);
    return new Fault(at, kind, names(which), Duration.ofNanos(System.nanoTime() - t0));
  }

  private Fault failed(String kind, Set<Integer> which, double at, Exception e) {
    return new Fault(at, kind, names(which), null, e.getMessage());
  }

  private String names(Set<Integer> which) {
    List<String> names = new ArrayList<>();
    for (int i : new TreeSet<>(which)) {
      names.add(nodes.name(i));
    }
    return String.join("+", names);
  }

  /** Until a live node outside {@code gone} sees a view without them. */
  private void awaitViewWithout(Set<Integer> gone, long deadlineNanos) throws InterruptedException {
    int others = nodes.size() - gone.size();
    for (int j = 0; j < nodes.size(); j++) {
      if (!gone.contains(j) && nodes.isAlive(j)) {
        awaitMembers(j, others, deadlineNanos);
        return;
      }
    }
  }

  private void awaitMembers(int node, int members, long deadlineNanos) throws InterruptedException {
    while (nodes.members(node) != members) {
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException(
            "node "
                + nodes.name(node)
                + " did not see a view of "
                + members
                + " members in time — see its log");
      }
      Thread.sleep(100);
    }
  }

  private long pid(int i) {
    if (nodes instanceof DemoCluster d) {
      return d.pid(i);
    }
    if (nodes instanceof ExternalNodes e) {
      return e.pid(i);
    }
    if (nodes instanceof NetnsCluster c) {
      return c.pid(i);
    }
    throw new IllegalStateException("no pid for node " + nodes.name(i));
  }
}
