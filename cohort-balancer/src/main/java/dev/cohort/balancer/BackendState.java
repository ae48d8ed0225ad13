package dev.cohort.balancer;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live state of one backend: health, drain flag, counters and the idle keep-alive connections.
 *
 * <p>Threading: health transitions are synchronized (the health checker and every event loop's
 * passive detection write them); reads of {@link #up()} and {@link #draining()} are volatile. Idle
 * connections are kept per event loop, and each deque is touched only by its own loop, so a proxied
 * exchange never crosses threads.
 */
final class BackendState {
  private static final System.Logger LOG = System.getLogger(BackendState.class.getName());

  /** Idle connections kept per backend and event loop; more are closed on release. */
  static final int MAX_IDLE_PER_LOOP = 512;

  final Backend backend;
  final int index;
  private final int rise;
  private final int fall;

  private volatile boolean up = true;
  private volatile boolean draining;
  private int passed;
  private int failed;
  volatile boolean checking;

  /** With no active checks: how long after a failed connect the backend gets requests again. */
  private String recovery;

  /** With no active checks: schedules {@link #reinstate} after a failed connect took it down. */
  private Runnable whenPassivelyDown;

  final AtomicInteger inFlight = new AtomicInteger();
  final LongAdder requests = new LongAdder();
  final LongAdder failures = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder checksFailed = new LongAdder();
  final LongAdder downTransitions = new LongAdder();

  /** Smooth weighted round-robin state; guarded by the router's lock. */
  int currentWeight;

  private final Map<EventLoop, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();

  BackendState(Backend backend, int index, int rise, int fall) {
    this.backend = backend;
    this.index = index;
    this.rise = rise;
    this.fall = fall;
  }

  boolean up() {
    return up;
  }

  boolean draining() {
    return draining;
  }

  void draining(boolean value) {
    draining = value;
  }

  /** Up and not draining: may take new clients. */
  boolean acceptsNew() {
    return up && !draining;
  }

  /** Records one active check; {@code rise} passes bring it up, {@code fall} failures down. */
  synchronized void recordCheck(boolean ok) {
    if (ok) {
      passed++;
      failed = 0;
      if (!up && passed >= rise) {
        up = true;
        LOG.log(Level.INFO, "backend {0} is up: {1} health checks passed", backend.route(), rise);
      }
    } else {
      checksFailed.increment();
      failed++;
      passed = 0;
      if (up && failed >= fall) {
        up = false;
        downTransitions.increment();
        LOG.log(
            Level.WARNING,
            "backend {0} is down: {1} health checks failed — new requests go to the others",
            backend.route(),
            fall);
      }
    }
  }

  /** Passive detection: a refused connect takes the backend down at once. */
  synchronized void markDown(String why) {
    passed = 0;
    if (up) {
      up = false;
      downTransitions.increment();
      LOG.log(
          Level.WARNING,
          "backend {0} is down: {1} — its requests go to the others {2}",
          backend.route(),
          why,
          whenPassivelyDown == null
              ? "until " + rise + " health checks pass"
              : "for " + recovery + " (health-check none)");
      if (whenPassivelyDown != null) {
        whenPassivelyDown.run();
      }
    }
  }

  /**
   * For {@code health-check none}: from now on, a {@link #markDown} runs {@code schedule}, which
   * must call {@link #reinstate} later; {@code recovery} says after how long, for the log (e.g.
   * {@code "1000 ms"}).
   */
  synchronized void recoverWithoutChecks(String recovery, Runnable schedule) {
    this.recovery = recovery;
    this.whenPassivelyDown = schedule;
  }

  /** For {@code health-check none}: the backend gets requests again, unchecked. */
  synchronized void reinstate() {
    passed = 0;
    failed = 0;
    if (!up) {
      up = true;
      LOG.log(
          Level.INFO,
          "backend {0} gets requests again: {1} passed since a connect to it failed (health-check"
              + " none, no probe)",
          backend.route(),
          recovery);
    }
  }

  /** An idle connection of this backend on this loop, or null. Call on {@code loop} only. */
  Channel acquire(EventLoop loop) {
    ArrayDeque<Channel> q = idle.get(loop);
    if (q == null) {
      return null;
    }
    Channel ch;
    while ((ch = q.pollLast()) != null) {
      if (ch.isActive()) {
        return ch;
      }
      ch.close();
    }
    return null;
  }

  /** Returns a connection for reuse (or closes it when the pool is full). Call on its loop. */
  void release(Channel ch) {
    ArrayDeque<Channel> q = idle.computeIfAbsent(ch.eventLoop(), l -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_LOOP || !ch.isActive()) {
      ch.close();
    } else {
      q.addLast(ch);
    }
  }

  /** Forgets a connection that closed while idle. Call on its loop. */
  void forget(Channel ch) {
    ArrayDeque<Channel> q = idle.get(ch.eventLoop());
    if (q != null) {
      q.remove(ch);
    }
  }

  /** Idle connections right now (approximate; for status pages). */
  int idleCount() {
    int n = 0;
    for (ArrayDeque<Channel> q : idle.values()) {
      n += q.size();
    }
    return n;
  }
}
