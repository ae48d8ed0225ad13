package dev.cohort.bench.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load of {@link FloodBench}: ordinary users and a flood of requests with session ids the
 * cluster never issued, both <em>paced</em> (each thread sends on a fixed schedule), so the flood
 * is a rate and not "as fast as the nodes answer". A latency is measured from the moment the
 * request was due, not from when it left: a node that stalls is charged for the requests that
 * queued behind the stall (no coordinated omission).
 *
 * <p>Every sample is filed under the phase that was current when the request was due. The ordinary
 * users' replies are checked as in {@link LoadClient}: their count must go up by one.
 */
final class PacedLoad {
  static final String[] PHASES = {"warm-up", "baseline", "flood", "after"};
  static final int WARMUP = 0;
  static final int FLOOD = 2;

  private final int[] ports;
  private final List<String> names;
  private volatile int phase = WARMUP;
  private final CountDownLatch floodStarts = new CountDownLatch(1);
  private volatile boolean running = true;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Samples> userSamples = new ArrayList<>();
  private final List<Samples> floodSamples = new ArrayList<>();

  /** Ordinary users, per phase. */
  final Counts[] users = newCounts();

  /** The flood, per phase (only the flood phase sends). */
  final Counts[] flood = newCounts();

  /** Ordinary users whose count did not go up by one (lost or stale session). */
  final LongAdder wrongCount = new LongAdder();

  /** Flood requests not sent because the flood fell more than 100 ms behind its schedule. */
  final LongAdder floodSkipped = new LongAdder();

  PacedLoad(int[] ports, List<String> names) {
    this.ports = ports.clone();
    this.names = List.copyOf(names);
  }

  /** Per phase: requests answered 200, 503, 500, another status, and failed on the socket. */
  static final class Counts {
    final LongAdder ok = new LongAdder();
    final LongAdder unavailable = new LongAdder();
    final LongAdder serverError = new LongAdder();
    final LongAdder otherStatus = new LongAdder();
    final LongAdder ioErrors = new LongAdder();

    long total() {
      return ok.sum() + unavailable.sum() + serverError.sum() + otherStatus.sum() + ioErrors.sum();
    }

    void status(int code) {
      switch (code) {
        case 200 -> ok.increment();
        case 503 -> unavailable.increment();
        case 500 -> serverError.increment();
        default -> otherStatus.increment();
      }
    }
  }

  private static Counts[] newCounts() {
    Counts[] c = new Counts[PHASES.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = new Counts();
    }
    return c;
  }

  void phase(int p) {
    phase = p;
    if (p == FLOOD) {
      floodStarts.countDown();
    }
  }

  /** Starts {@code users} paced users, {@code rate} requests per second in all, on /counter. */
  void startUsers(int users, int rate) {
    long interval = TimeUnit.SECONDS.toNanos(1) * users / rate;
    long t0 = System.nanoTime();
    for (int u = 0; u < users; u++) {
      Samples s = new Samples();
      userSamples.add(s);
      int node = u % ports.length;
      long first = t0 + interval * u / users;
      start("bench-user-" + u, () -> user(node, first, interval, s));
    }
  }

  /**
   * Starts {@code connections} flood threads that wait, without polling, for the {@link #FLOOD}
   * phase and then send {@code rate} requests per second in all to {@code /peek} until it ends;
   * each request carries a fresh id of {@code kind} with a random member's route and goes to that
   * member (as a sticky balancer sends it).
   */
  void startFlood(int connections, int rate, String kind) {
    if (rate == 0) {
      return;
    }
    long interval = TimeUnit.SECONDS.toNanos(1) * connections / rate;
    for (int i = 0; i < connections; i++) {
      Samples s = new Samples();
      floodSamples.add(s);
      long offset = interval * i / connections;
      start("bench-flood-" + i, () -> flood(offset, interval, kind, s));
    }
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(15_000);
    }
  }

  private void user(int node, long first, long interval, Samples samples) {
    String cookie = null;
    int last = 0;
    HttpConn conn = null;
    long due = first;
    try {
      while (running) {
        sleepUntil(due);
        int p = phase;
        try {
          if (conn == null || !conn.isOpen()) {
            conn = new HttpConn(ports[node], 10_000);
          }
          HttpConn.Reply r = conn.get("/counter", cookie);
          samples.add(p, System.nanoTime() - due);
          users[p].status(r.status());
          if (r.status() == 200) {
            int count = r.field("count");
            if (count != last + 1) {
              wrongCount.increment();
            }
            last = count;
            if (r.setCookie() != null) {
              cookie = r.setCookie();
              int routed = names.indexOf(cookie.substring(cookie.lastIndexOf('.') + 1));
              node = routed >= 0 ? routed : node;
            }
          }
        } catch (IOException e) {
          samples.add(p, System.nanoTime() - due);
          users[p].ioErrors.increment();
          if (conn != null) {
            conn.close();
          }
          conn = null;
        }
        due += interval;
      }
    } finally {
      if (conn != null) {
        conn.close();
      }
    }
  }

  private void flood(long offset, long interval, String kind, Samples samples) {
    HttpConn[] conns = new HttpConn[ports.length];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try {
      // idle until the flood phase (no polling: hundreds of flood threads must cost nothing)
      while (running && !floodStarts.await(100, TimeUnit.MILLISECONDS)) {
        // wait
      }
      long due = System.nanoTime() + offset;
      while (running && phase == FLOOD) {
        long now = System.nanoTime();
        if (now - due > TimeUnit.MILLISECONDS.toNanos(100)) {
          long behind = (now - due) / interval;
          floodSkipped.add(behind);
          due += behind * interval;
        }
        sleepUntil(due);
        int node = random.nextInt(ports.length);
        String id = FloodIds.of(kind, names.get(node), random);
        try {
          if (conns[node] == null || !conns[node].isOpen()) {
            conns[node] = new HttpConn(ports[node], 10_000);
          }
          HttpConn.Reply r = conns[node].get("/peek", id);
          samples.add(FLOOD, System.nanoTime() - due);
          flood[FLOOD].status(r.status());
        } catch (IOException e) {
          samples.add(FLOOD, System.nanoTime() - due);
          flood[FLOOD].ioErrors.increment();
          if (conns[node] != null) {
            conns[node].close();
          }
          conns[node] = null;
        }
        due += interval;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (HttpConn c : conns) {
        if (c != null) {
          c.close();
        }
      }
    }
  }

  private void sleepUntil(long due) {
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }

  /** The ordinary users' latencies of phase {@code p}, sorted, nanoseconds. */
  long[] userLatencies(int p) {
    return merge(userSamples, p);
  }

  long[] floodLatencies() {
    return merge(floodSamples, FLOOD);
  }

  private static long[] merge(List<Samples> all, int p) {
    int n = 0;
    for (Samples s : all) {
      n += s.size(p);
    }
    long[] out = new long[n];
    int at = 0;
    for (Samples s : all) {
      at = s.copy(p, out, at);
    }
    Arrays.sort(out);
    return out;
  }

  /** One thread's latencies per phase; written by that thread, read after {@link #stop()}. */
  private static final class Samples {
    private final long[][] values = new long[PHASES.length][1024];
    private final int[] sizes = new int[PHASES.length];

    void add(int p, long v) {
      if (sizes[p] == values[p].length) {
        if (values[p].length >= 4_000_000) {
          return; // bounded: far more than a 120 s phase at the highest rate per thread
        }
        values[p] = Arrays.copyOf(values[p], values[p].length * 2);
      }
      values[p][sizes[p]++] = v;
    }

    int size(int p) {
      return sizes[p];
    }

    int copy(int p, long[] out, int at) {
      System.arraycopy(values[p], 0, out, at, sizes[p]);
      return at + sizes[p];
    }
  }
}
