package dev.cohort.bench.e2e;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load client: {@code users} simulated users, each with its own session cookie, served by
 * {@code threads} threads (a closed loop: each thread has one request in flight, cycling through
 * its users). A user is sticky to the node named by its cookie's {@code .route} suffix (as a
 * balancer is); on a refused connection that node is marked down and the user fails over to the
 * next live node with the same cookie.
 *
 * <p>Every reply's counter is checked against what the user saw before: {@code +1} is good; {@code
 * 1} after more is a lost session; anything lower is stale (the node served an old replica).
 * Latencies are recorded only while {@link #measuring} is on. Thread-safe counters; {@link
 * #markKill} records a kill so that the users of that node are followed until their first good
 * reply.
 */
final class LoadClient {
  private final int[] ports;
  private final List<String> names;
  private final int users;
  private final int threads;
  private final int timeoutMillis;
  private final AtomicIntegerArray down;

  final LongAdder requests = new LongAdder();
  final LongAdder good = new LongAdder();

  /** Requests that failed after they were sent (reset, timeout, non-200): a user sees these. */
  final LongAdder failed = new LongAdder();

  /** The failed requests split by cause: read timeout, other I/O error (reset, EOF), non-200. */
  final LongAdder failedTimeout = new LongAdder();

  final LongAdder failedIo = new LongAdder();
  final LongAdder failedStatus = new LongAdder();

  /** Requests retried once because the connection broke before any response byte. */
  final LongAdder retries = new LongAdder();

  /** Connections refused (nothing sent; retried on the next node at once). */
  final LongAdder refused = new LongAdder();

  final LongAdder stale = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder unexpected = new LongAdder();

  private volatile boolean measuring;
  private volatile boolean running = true;
  private volatile long killNanos;
  private volatile int killedNode = -1;
  private final User[] userStates;
  private final List<long[]> latencyBuffers = new ArrayList<>();
  private final int[] latencyCounts;

  LoadClient(int[] ports, List<String> names, int users, int threads, int timeoutMillis) {
    if (users < 1 || threads < 1) {
      throw new IllegalArgumentException("--users/--threads: must be at least 1");
    }
    this.ports = ports.clone();
    this.names = List.copyOf(names);
    this.users = users;
    this.threads = Math.min(threads, users);
    this.timeoutMillis = timeoutMillis;
    this.down = new AtomicIntegerArray(ports.length);
    this.userStates = new User[users];
    for (int u = 0; u < users; u++) {
      userStates[u] = new User(u % ports.length);
    }
    this.latencyCounts = new int[this.threads];
  }

  private static final class User {
    int node;
    String cookie;
    int last;
    boolean maybeProcessed;
    boolean affected;
    long firstGoodAfterKill = -1;
    int outcomeAfterKill; // 0 none yet, 1 good, 2 stale, 3 lost

    User(int node) {
      this.node = node;
    }
  }

  /** Runs the load until {@link #stop()}; returns the worker threads (already started). */
  List<Thread> start(int maxLatencySamplesPerThread) {
    List<Thread> out = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long[] buf = new long[maxLatencySamplesPerThread];
      latencyBuffers.add(buf);
      int index = t;
      Thread th = new Thread(() -> work(index, buf), "bench-client-" + t);
      th.setDaemon(true);
      out.add(th);
    }
    out.forEach(Thread::start);
    return out;
  }

  void measuring(boolean on) {
    measuring = on;
  }

  void stop(List<Thread> workers) throws InterruptedException {
    running = false;
    for (Thread t : workers) {
      t.join(TimeUnit.SECONDS.toMillis(timeoutMillis / 1000 + 5));
    }
  }

  /** From now on, follow the users routed to {@code node} until their first good reply. */
  void markKill(int node) {
    killNanos = System.nanoTime();
    killedNode = node;
    for (User u : userStates) {
      synchronized (u) {
        u.affected = u.node == node;
      }
    }
  }

  private void work(int t, long[] buf) {
    HttpConn[] conns = new HttpConn[ports.length];
    try {
      while (running) {
        for (int u = t; u < users && running; u += threads) {
          User user = userStates[u];
          synchronized (user) {
            once(user, conns, t, buf);
          }
        }
      }
    } finally {
      for (HttpConn c : conns) {
        if (c != null) {
          c.close();
        }
      }
    }
  }

  private void once(User user, HttpConn[] conns, int t, long[] buf) {
    long t0 = System.nanoTime();
    HttpConn.Reply reply = null;
    boolean retried = false;
    while (reply == null) {
      int node = liveNode(user.node);
      if (node < 0) {
        failed.increment();
        requests.increment();
        return;
      }
      user.node = node;
      try {
        HttpConn c = conns[node];
        if (c == null || !c.isOpen()) {
          c = new HttpConn(ports[node], timeoutMillis);
          conns[node] = c;
        }
        reply = c.get("/counter", user.cookie);
      } catch (ConnectException e) {
        // nothing was sent: fail over to the next node at once, as a balancer does
        down.set(node, 1);
        closeConn(conns, node);
        refused.increment();
      } catch (IOException | RuntimeException e) {
        boolean started = conns[node] == null || conns[node].responseStarted();
        closeConn(conns, node);
        user.maybeProcessed = true;
        if (!started && !retried && !(e instanceof java.net.SocketTimeoutException)) {
          // no response byte came back: retry once, as a balancer does for a GET
          retried = true;
          retries.increment();
          continue;
        }
        (e instanceof java.net.SocketTimeoutException ? failedTimeout : failedIo).increment();
        failed.increment();
        requests.increment();
        return;
      }
    }
    long elapsed = System.nanoTime() - t0;
    requests.increment();
    if (measuring && latencyCounts[t] < buf.length) {
      buf[latencyCounts[t]++] = elapsed;
    }
    if (reply.status() != 200) {
      failedStatus.increment();
      failed.increment();
      user.maybeProcessed = true;
      return;
    }
    check(user, reply.field("count"));
    if (reply.setCookie() != null) {
      user.cookie = reply.setCookie();
    }
    int routed = route(user.cookie);
    if (routed >= 0 && down.get(routed) == 0) {
      user.node = routed;
    }
  }

  private void check(User user, int count) {
    int expected = user.last + 1;
    int outcome;
    if (count == expected || (user.maybeProcessed && count == expected + 1)) {
      good.increment();
      outcome = 1;
    } else if (count == 1) {
      lost.increment();
      outcome = 3;
    } else if (count >= 0 && count < expected) {
      stale.increment();
      outcome = 2;
    } else {
      unexpected.increment();
      outcome = 1;
    }
    if (user.affected && user.outcomeAfterKill == 0) {
      user.outcomeAfterKill = outcome;
      user.firstGoodAfterKill = System.nanoTime() - killNanos;
    }
    user.last = count;
    user.maybeProcessed = false;
  }

  private int liveNode(int preferred) {
    for (int i = 0; i < ports.length; i++) {
      int n = (preferred + i) % ports.length;
      if (down.get(n) == 0) {
        return n;
      }
    }
    return -1;
  }

  private int route(String cookie) {
    if (cookie == null) {
      return -1;
    }
    int dot = cookie.lastIndexOf('.');
    return dot < 0 ? -1 : names.indexOf(cookie.substring(dot + 1));
  }

  private static void closeConn(HttpConn[] conns, int node) {
    if (conns[node] != null) {
      conns[node].close();
      conns[node] = null;
    }
  }

  /** Latencies recorded while measuring, sorted, in nanoseconds. */
  long[] latencies() {
    int n = Arrays.stream(latencyCounts).sum();
    long[] all = new long[n];
    int at = 0;
    for (int t = 0; t < latencyBuffers.size(); t++) {
      System.arraycopy(latencyBuffers.get(t), 0, all, at, latencyCounts[t]);
      at += latencyCounts[t];
    }
    Arrays.sort(all);
    return all;
  }

  /** What happened to the killed node's users after {@link #markKill}. */
  FailoverOutcome failover() {
    int affected = 0;
    int goodFirst = 0;
    int staleFirst = 0;
    int lostFirst = 0;
    int never = 0;
    List<Long> times = new ArrayList<>();
    for (User u : userStates) {
      synchronized (u) {
        if (!u.affected) {
          continue;
        }
        affected++;
        switch (u.outcomeAfterKill) {
          case 1 -> goodFirst++;
          case 2 -> staleFirst++;
          case 3 -> lostFirst++;
          default -> never++;
        }
        if (u.firstGoodAfterKill >= 0) {
          times.add(u.firstGoodAfterKill);
        }
      }
    }
    times.sort(null);
    long median = times.isEmpty() ? -1 : times.get(times.size() / 2);
    long max = times.isEmpty() ? -1 : times.get(times.size() - 1);
    return new FailoverOutcome(
        killedNode,
        affected,
        goodFirst,
        staleFirst,
        lostFirst,
        never,
        TimeUnit.NANOSECONDS.toMillis(median),
        TimeUnit.NANOSECONDS.toMillis(max));
  }

  /**
   * The killed node's users: how many there were, what their first reply after the kill was (good,
   * stale, lost, none before the end), and the time from the kill to that reply.
   */
  record FailoverOutcome(
      int killedNode,
      int affected,
      int good,
      int stale,
      int lost,
      int noReply,
      long medianMillis,
      long maxMillis) {}
}
