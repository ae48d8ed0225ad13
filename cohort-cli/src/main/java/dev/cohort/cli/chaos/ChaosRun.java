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
import java.util.concurrent.atomic.LongAdder;

/**
 * One chaos run: N users, each a thread with its own session cookie, ask {@code GET /counter?seq=K}
 * through the balancer and check that their count goes up by exactly one (K, the count the user
 * expects, is an idempotency key: a GET that the balancer retries on another node after the first
 * one applied it and died is applied once); meanwhile a fault thread crashes nodes (SIGKILL) and
 * restarts them gracefully (SIGTERM, drain, start), one at a time, each followed by a wait until
 * the node is back in a full view. The load stops at the duration, or when the fault in progress
 * has recovered, whichever is later; then every user makes one last request, so a session lost by
 * the last fault is counted too.
 */
final class ChaosRun {
  record Settings(
      String url, int users, Duration duration, Duration think, Duration requestTimeout) {}

  private final Settings settings;
  private final Nodes cluster; // null: no faults
  private final PrintStream out;
  private final boolean tty;
  private final HttpClient http;

  final LongAdder requests = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder wentBack = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final Latencies latencies = new Latencies();
  final List<Fault> faults = new ArrayList<>();
  final ConcurrentLinkedQueue<String> firstFailures = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean loadOn = new AtomicBoolean(true);
  private volatile long startNanos;
  private volatile long loadNanos;
  volatile long balancerRetries = -1;
  volatile long balancerBadGateway = -1;

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

  void run() throws InterruptedException {
    List<User> users = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    startNanos = System.nanoTime();
    for (int i = 0; i < settings.users(); i++) {
      User u = new User(i);
      users.add(u);
      long delayMillis = 1000L * i / settings.users(); // ramp up over a second, not all at once
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
              "chaos-user-" + i);
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
    for (User u : users) {
      u.request(); // the last word: is every session still there, with the right count?
    }
    balancerRetries = balancerFigure("retries");
    balancerBadGateway = balancerFigure("badGateway");
  }

  /** A top-level figure of the balancer's /balancer/status JSON, -1 when it did not answer. */
  private long balancerFigure(String name) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(settings.url() + "/balancer/status?format=json"))
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

  /** The fault plan: kill -9 n1, restart n2, restart n3, restart n1, kill -9 n2, ... */
  private void injectFaults() throws InterruptedException {
    int n = cluster.size();
    long warmUp = Math.min(3_000, settings.duration().toMillis() / 10);
    Thread.sleep(warmUp);
    for (int step = 0; elapsedSeconds() < settings.duration().toSeconds() - 2; step++) {
      int node = step % n;
      boolean crash = (step % (n + 1)) == 0;
      double at = elapsedSeconds();
      long t0 = System.nanoTime();
      Duration recovery;
      try {
        if (crash) {
          cluster.kill(node);
          awaitViewWithout(node, t0 + 20_000_000_000L);
        } else {
          cluster.stop(node);
        }
        cluster.restart(node);
        long deadline = System.nanoTime() + 90_000_000_000L;
        cluster.awaitHealthy(node, deadline);
        cluster.awaitFullView(deadline);
        recovery = Duration.ofNanos(System.nanoTime() - t0);
      } catch (IllegalStateException | IOException e) {
        firstFailures.add("fault recovery failed: " + e.getMessage());
        recovery = null;
      }
      Fault f = new Fault(at, crash ? "kill -9" : "restart", cluster.name(node), recovery);
      synchronized (faults) {
        faults.add(f);
      }
      if (!tty) {
        out.printf(
            Locale.ROOT,
            "chaos: +%.1fs %s %s, recovered in %s%n",
            at,
            f.kind(),
            f.node(),
            recovery == null
                ? "(never)"
                : String.format(Locale.ROOT, "%.1f s", recovery.toMillis() / 1000.0));
      }
      if (recovery == null) {
        return;
      }
      Thread.sleep(1500); // steady load between two faults
    }
  }

  private void awaitViewWithout(int node, long deadlineNanos) throws InterruptedException {
    int others = cluster.size() - 1;
    while (System.nanoTime() < deadlineNanos) {
      boolean seen = false;
      for (int j = 0; j < cluster.size(); j++) {
        if (j != node && cluster.isAlive(j)) {
          int m = cluster.members(j);
          seen = m == 0 || m == others;
          break;
        }
      }
      if (seen) {
        return;
      }
      Thread.sleep(100);
    }
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  double loadSeconds() {
    return loadNanos / 1e9;
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
                wentBack.sum() + skipped.sum(),
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
  private final class User {
    private final int index;
    private final Ledger ledger = new Ledger();
    private String cookie;

    /**
     * This user's request number, the idempotency key of its next request: it advances after every
     * answer and stays after a failure, so a retry carries the same key.
     */
    private long seq = 1;

    User(int index) {
      this.index = index;
    }

    void loop() {
      try {
        while (loadOn.get()) {
          request();
          Thread.sleep(settings.think().toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void request() {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(settings.url() + "/counter?seq=" + seq))
              .timeout(settings.requestTimeout());
      if (cookie != null) {
        b.header("Cookie", cookie);
      }
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
          fail("HTTP " + r.statusCode());
          return;
        }
        Map<String, Object> body = Json.object(r.body());
        seq++;
        long count = Json.num(body, "count", -1);
        Ledger.Outcome o = ledger.answered(count);
        switch (o) {
          case LOST -> {
            lost.increment();
            note("lost: count reset to 1 at node " + body.get("node"));
          }
          case WENT_BACK -> {
            wentBack.increment();
            note("stale: count went back to " + count + " at node " + body.get("node"));
          }
          case SKIPPED -> {
            skipped.increment();
            note("stale: count skipped to " + count + " at node " + body.get("node"));
          }
          default -> {}
        }
      } catch (IOException | IllegalArgumentException e) {
        latencies.add((System.nanoTime() - t0) / 1000);
        fail(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }

    private void fail(String why) {
      failed.increment();
      ledger.failed();
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
