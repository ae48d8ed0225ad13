package dev.cohort.cli.chaos;

import dev.cohort.cli.demo.Nodes;
import dev.cohort.cli.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One chaos run: N users, each a thread with its own session cookie, ask {@code GET /counter?seq=K}
 * through the balancer and check that their count goes up by exactly one (K, the count the user
 * expects, is an idempotency key: a GET that the balancer retries on another node after the first
 * one applied it and died is applied once). Now and then a user invalidates its session ({@code
 * /counter?invalidate=1}) and keeps the old cookie, as a browser does: its next count must start
 * again at 1, or the invalidated session came back. Meanwhile a fault thread runs the scenario's
 * {@link FaultPlan}, each fault followed by a wait until the cluster is whole again.
 *
 * <p>The load stops at the duration, or when the fault in progress has recovered, whichever is
 * later. Then the invariant check: every user makes one last request through the balancer and one
 * directly to a node that does not own its session (which takes it over from the replica holders: a
 * holder behind the owner would show as a stale count), and every node's /cohort/status must agree
 * ({@link Convergence}).
 *
 * <p>When a node is killed or frozen, the users whose last answer came from it are its sessions'
 * owners: their first answer after the fault is checked apart, and the fraction that came back
 * stale or lost is the figure async replication is judged by.
 *
 * <p>Without idempotency keys ({@code --no-idempotency-keys}) the requests are plain {@code GET
 * /counter} and the users' ledgers demand exact counts ({@link Ledger}): an error answered by a
 * node must have changed nothing — a balancer retry of a request a node answered 503 must not count
 * twice — while a request whose answer was lost may have applied once, and one in flight while a
 * node went down may have applied twice (a replay by the balancer).
 */
final class ChaosRun {
  /** {@code statusUrl}: the balancer's /balancer/status (on its admin port), or null. */
  record Settings(
      String url,
      String statusUrl,
      int users,
      Duration duration,
      Duration think,
      Duration requestTimeout,
      Scenario scenario,
      String mode,
      int backups,
      Duration freezeFor,
      Duration partitionFor,
      int invalidateEvery,
      boolean ownCluster,
      boolean idempotencyKeys) {}

  private final Settings settings;
  private final Nodes cluster; // null: no faults
  private final PrintStream out;
  private final boolean tty;
  private final HttpClient http;
  private final List<User> users = new ArrayList<>();

  final LongAdder requests = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder wentBack = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final LongAdder resurrected = new LongAdder();
  final LongAdder invalidations = new LongAdder();
  final LongAdder invalidationsFoundNone = new LongAdder();
  final LongAdder struckChecked = new LongAdder();
  final LongAdder struckBad = new LongAdder();
  final LongAdder crossChecked = new LongAdder();
  final LongAdder crossBad = new LongAdder();

  /** Requests that could have created a session whose cookie never reached the user. */
  final LongAdder orphanBound = new LongAdder();

  /**
   * Fault edges: +1 when a fault strikes (just before the node is killed), +1 when it has
   * recovered; odd while one is under way. A first request in flight at a kill may have created its
   * session on the killed node, replicated it, and lost only the answer — the balancer's retry
   * elsewhere creates the user's session, and the first one stays in the cluster, held by nobody.
   * Written only by the fault thread (strikes come from inside {@code plan.step}).
   */
  private final AtomicLong faultEdges = new AtomicLong();

  /**
   * Nodes going down (killed, stopped or frozen) and not gone yet, and a count of every such edge:
   * a request in flight meanwhile may have been applied on the node and then replayed elsewhere by
   * the balancer.
   */
  private final java.util.concurrent.atomic.AtomicInteger goingDown =
      new java.util.concurrent.atomic.AtomicInteger();

  private final AtomicLong downEdges = new AtomicLong();

  /** Requests answered with an error by a node or the balancer itself (applied nowhere). */
  final LongAdder failedAnswered = new LongAdder();

  /**
   * Without idempotency keys: requests with no answer, or replayed by the balancer, that the counts
   * show were applied (beyond one per answer).
   */
  final LongAdder appliedUnanswered = new LongAdder();

  final Latencies latencies = new Latencies();
  final List<Fault> faults = new ArrayList<>();
  final ConcurrentLinkedQueue<String> firstFailures = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean loadOn = new AtomicBoolean(true);
  private volatile long startNanos;
  private volatile long loadNanos;
  volatile long balancerRetries = -1;
  volatile long balancerBadGateway = -1;
  volatile Convergence convergence;

  ChaosRun(Settings settings, Nodes cluster, PrintStream out, boolean tty) {
    this.settings = settings;
    this.cluster = cluster;
    this.out = out;
    this.tty = tty;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.requestTimeout())
            .build();
  }

  Settings settings() {
    return settings;
  }

  void run() throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    startNanos = System.nanoTime();
    for (int i = 0; i < settings.users(); i++) {
      User u = new User(i);
      users.add(u);
    }
    for (User u : users) {
      long delayMillis = 1000L * u.index / settings.users(); // ramp up over a second
      Thread t =
          new Thread(
              () -> {
                try {
                  Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                u.loop();
              },
              "chaos-user-" + u.index);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    Thread progress = new Thread(this::progress, "chaos-progress");
    progress.setDaemon(true);
    progress.start();
    if (cluster != null) {
      injectFaults();
    }
    long end = startNanos + settings.duration().toNanos();
    long now;
    while ((now = System.nanoTime()) < end) {
      Thread.sleep(Math.min(200, Math.max(1, (end - now) / 1_000_000)));
    }
    loadOn.set(false);
    for (Thread t : threads) {
      t.join(settings.requestTimeout().toMillis() + 5000);
    }
    loadNanos = System.nanoTime() - startNanos;
    progress.interrupt();
    progress.join(2000);
    if (tty) {
      out.println();
    }
    finalCheck();
    balancerRetries = balancerFigure("retries");
    balancerBadGateway = balancerFigure("badGateway");
  }

  /**
   * Every session still there with its last acknowledged count, through the balancer and on a node
   * that does not own it; then the nodes' own figures.
   */
  private void finalCheck() throws InterruptedException {
    for (User u : users) {
      for (int attempt = 0; attempt < 3 && u.pendingInvalidate; attempt++) {
        u.invalidate();
      }
      u.request(settings.url(), false); // the last word through the balancer
    }
    if (cluster == null) {
      return;
    }
    for (User u : users) {
      String other = u.otherNode();
      if (other != null) {
        u.request(other, true);
      }
    }
    long holding = users.stream().filter(u -> u.cookie != null && !u.ledger.expectsFresh()).count();
    // a running cluster (--url) may hold sessions of other clients: then only a lower bound
    convergence =
        Convergence.await(
            cluster,
            holding,
            settings.ownCluster() ? holding + orphanBound.sum() : Long.MAX_VALUE,
            settings.mode(),
            settings.backups(),
            Duration.ofSeconds(30));
  }

  /**
   * A top-level figure of the balancer's /balancer/status JSON, -1 when there is no status URL or
   * it did not answer.
   */
  private long balancerFigure(String name) {
    if (settings.statusUrl() == null) {
      return -1;
    }
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(settings.statusUrl() + "?format=json"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Json.num(Json.object(r.body()), name, -1) : -1;
    } catch (IOException | IllegalArgumentException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The scenario's plan, step after step, with steady load between two faults. */
  private void injectFaults() throws InterruptedException {
    FaultPlan plan =
        new FaultPlan(
            settings.scenario(),
            cluster,
            new FaultPlan.Listener() {
              @Override
              public void struck(String node) {
                ChaosRun.this.struck(node);
              }

              @Override
              public void leaving(String node) {
                goingDown.incrementAndGet();
                downEdges.incrementAndGet();
              }

              @Override
              public void left(String node) {
                downEdges.incrementAndGet();
                goingDown.decrementAndGet();
              }
            },
            settings.freezeFor(),
            settings.partitionFor());
    long warmUp = Math.min(3_000, settings.duration().toMillis() / 10);
    Thread.sleep(warmUp);
    for (int step = 0; elapsedSeconds() < settings.duration().toSeconds() - 2; step++) {
      List<Fault> done = plan.step(step, elapsedSeconds());
      if (faultEdges.get() % 2 == 1) {
        faultEdges.incrementAndGet();
      }
      boolean recovered = true;
      for (Fault f : done) {
        synchronized (faults) {
          faults.add(f);
        }
        if (f.recovery() == null) {
          firstFailures.add("fault recovery failed: " + f.problem());
          recovered = false;
        }
        if (!tty) {
          out.printf(
              Locale.ROOT,
              "chaos: +%.1fs %s %s, recovered in %s%n",
              f.atSeconds(),
              f.kind(),
              f.node(),
              f.recovery() == null
                  ? "(never)"
                  : String.format(Locale.ROOT, "%.1f s", f.recovery().toMillis() / 1000.0));
        }
      }
      if (!recovered) {
        return;
      }
      Thread.sleep(1500); // steady load between two faults
    }
  }

  /**
   * The sessions whose last answer came from {@code node} are the victims of a fault: each one's
   * first answer from another node is checked apart (a request in flight at the kill that the
   * balancer retried elsewhere counts; an answer the node gave before it died does not).
   */
  private void struck(String node) {
    if (faultEdges.get() % 2 == 0) {
      faultEdges.incrementAndGet(); // one strike per step: a two-node kill strikes twice
    }
    for (User u : users) {
      if (node.equals(u.lastOwner)) {
        u.struckBy = node;
      }
    }
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  double loadSeconds() {
    return loadNanos / 1e9;
  }

  long stale() {
    return wentBack.sum() + skipped.sum();
  }

  private void progress() {
    long total = settings.duration().toMillis();
    try {
      while (loadOn.get()) {
        Thread.sleep(tty ? 500 : 5000);
        double secs = elapsedSeconds();
        String figures =
            String.format(
                Locale.ROOT,
                "%5.0fs  requests %d  failed %d  lost %d  stale %d  faults %d",
                secs,
                requests.sum(),
                failed.sum(),
                lost.sum(),
                stale() + resurrected.sum(),
                faultCount());
        if (tty) {
          int width = 30;
          int done = (int) Math.min(width, secs * 1000 / total * width);
          out.print("\r[" + "#".repeat(done) + ".".repeat(width - done) + "] " + figures + "   ");
          out.flush();
        } else {
          out.println("chaos: " + figures);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int faultCount() {
    synchronized (faults) {
      return faults.size();
    }
  }

  /** One simulated user: one cookie, one ledger, requests back to back with a think time. */
  /**
   * Who answered an error and what it said, for the report: the {@code Server} header when there is
   * one (the balancer's errors carry none) and the body's first words, tags removed.
   */
  static String gist(HttpResponse<String> r) {
    return gist(r.headers().firstValue("Server").orElse(""), r.body());
  }

  static String gist(String server, String body) {
    String text = body == null ? "" : body.replaceAll("<[^>]*>", " ");
    text = text.replaceAll("\\s+", " ").strip();
    if (text.length() > 120) {
      text = text.substring(0, 120) + "...";
    }
    return (server.isEmpty() ? "" : " from " + server) + (text.isEmpty() ? "" : ": " + text);
  }

  private final class User {
    private final int index;
    private final Ledger ledger = new Ledger(!settings.idempotencyKeys());
    private volatile String cookie;
    private volatile String lastOwner;
    private volatile String struckBy;
    private volatile boolean pendingInvalidate;
    private long answers;

    /**
     * This user's request number, the idempotency key of its next request: it advances after every
     * answer and stays after a failure, so a retry carries the same key.
     */
    private long seq = 1;

    User(int index) {
      this.index = index;
      this.answers = index; // users invalidate at different moments, not all at once
    }

    void loop() {
      try {
        while (loadOn.get()) {
          if (pendingInvalidate) {
            invalidate();
          } else {
            request(settings.url(), false);
          }
          Thread.sleep(settings.think().toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** A live node other than the one that owns this user's session, or null. */
    String otherNode() {
      if (cookie == null) {
        return null;
      }
      int n = cluster.size();
      for (int j = 0; j < n; j++) {
        int i = (index + j) % n;
        if (!cluster.name(i).equals(lastOwner) && cluster.isAlive(i)) {
          return cluster.url(i);
        }
      }
      return null;
    }

    void invalidate() {
      if (cookie == null) {
        pendingInvalidate = false;
        return;
      }
      HttpRequest r =
          HttpRequest.newBuilder(URI.create(settings.url() + "/counter?invalidate=1"))
              .timeout(settings.requestTimeout())
              .header("Cookie", cookie)
              .build();
      long t0 = System.nanoTime();
      requests.increment();
      try {
        HttpResponse<String> a = http.send(r, HttpResponse.BodyHandlers.ofString());
        latencies.add((System.nanoTime() - t0) / 1000);
        if (a.statusCode() != 200) {
          fail("HTTP " + a.statusCode() + " on invalidate" + gist(a), false, false);
          return;
        }
        // true, or false when no session was found (a retried attempt that the first one had
        // already applied, or a session the node could not find): gone either way, says the node
        Map<String, Object> body = Json.object(a.body());
        invalidations.increment();
        if (!Boolean.TRUE.equals(body.get("invalidated"))) {
          invalidationsFoundNone.increment();
        }
        ledger.invalidated();
        pendingInvalidate = false;
        if (body.get("node") instanceof String node) {
          lastOwner = node; // the owner that took the invalidation
        }
      } catch (IOException | IllegalArgumentException e) {
        latencies.add((System.nanoTime() - t0) / 1000);
        fail(e.getClass().getSimpleName() + " on invalidate", false, false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted", false, false);
      }
    }

    /** GET /counter at {@code base}; {@code cross}: the final read on a node that is not owner. */
    void request(String base, boolean cross) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(
                  URI.create(
                      base + (settings.idempotencyKeys() ? "/counter?seq=" + seq : "/counter")))
              .timeout(settings.requestTimeout());
      if (cookie != null) {
        b.header("Cookie", cookie);
      }
      boolean fresh = cookie == null || ledger.expectsFresh();
      long edges = faultEdges.get();
      long downs = downEdges.get();
      boolean nodeDown = goingDown.get() > 0;
      long t0 = System.nanoTime();
      requests.increment();
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        latencies.add((System.nanoTime() - t0) / 1000);
        r.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("JSESSIONID="))
            .findFirst()
            .ifPresent(c -> cookie = c.split(";", 2)[0]);
        if (r.statusCode() != 200) {
          // 502 and 504 are the balancer's: it lost the node, or the node did not answer in time
          // — the node may have applied the request; any other error was answered for what it did
          boolean unknown = r.statusCode() == 502 || r.statusCode() == 504;
          fail("HTTP " + r.statusCode() + gist(r), fresh, unknown);
          return;
        }
        if (fresh && (edges % 2 == 1 || faultEdges.get() != edges)) {
          orphanBound.increment();
        }
        Map<String, Object> body = Json.object(r.body());
        seq++;
        long count = Json.num(body, "count", -1);
        lastOwner = body.get("owner") instanceof String s ? s : null;
        boolean replayable = nodeDown || goingDown.get() > 0 || downEdges.get() != downs;
        Ledger.Outcome o = ledger.answered(count, replayable);
        appliedUnanswered.add(ledger.beyondOne());
        boolean bad = o != Ledger.Outcome.OK;
        String struck = struckBy;
        String where = " at node " + body.get("node");
        if (struck != null && !struck.equals(body.get("node"))) {
          struckChecked.increment();
          if (bad) {
            struckBad.increment();
          }
          struckBy = null;
          where += " (first answer after " + struck + "'s fault)";
        }
        switch (o) {
          case LOST -> {
            lost.increment();
            note("lost: count reset to 1" + where);
          }
          case WENT_BACK -> {
            wentBack.increment();
            note("stale: count went back to " + count + where);
          }
          case SKIPPED -> {
            skipped.increment();
            note("stale: count skipped to " + count + where);
          }
          case RESURRECTED -> {
            resurrected.increment();
            note("invalidated session came back (count " + count + ")" + where);
          }
          default -> {}
        }
        if (cross) {
          crossChecked.increment();
          if (bad) {
            crossBad.increment();
          }
        }
        if (settings.invalidateEvery() > 0 && ++answers % settings.invalidateEvery() == 0) {
          pendingInvalidate = loadOn.get();
        }
      } catch (IOException | IllegalArgumentException e) {
        latencies.add((System.nanoTime() - t0) / 1000);
        fail(
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()),
            fresh,
            true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted", fresh, true);
      }
    }

    /**
     * @param mayHaveApplied no answer came from a node (a lost connection, a timeout, a gateway
     *     error): the request may have been applied
     */
    private void fail(String why, boolean fresh, boolean mayHaveApplied) {
      failed.increment();
      if (!mayHaveApplied) {
        failedAnswered.increment();
      }
      ledger.failed(mayHaveApplied);
      if (fresh) {
        orphanBound.increment();
      }
      note("failed: " + why);
    }

    private void note(String what) {
      if (firstFailures.size() < 20) {
        firstFailures.add(
            String.format(Locale.ROOT, "+%.1fs user %d %s", elapsedSeconds(), index, what));
      }
    }
  }
}
