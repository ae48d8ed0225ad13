package dev.cohort.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that only moves when a test moves it, so a "30 minutes idle" test runs in
 * microseconds.
 *
 * <p>Thread-safe: the time is one atomic millisecond counter, so any thread may read it while the
 * test thread advances it. Copies made with {@link #withZone} share the same counter.
 */
public final class ManualClock extends Clock {

  /** 2026-01-01T00:00:00Z, the default start: far from 0 so that "time - 0" bugs show. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicLong millis;
  private final ZoneId zone;
  private final List<Runnable> listeners;

  /** Starts at {@link #DEFAULT_START}, zone UTC. */
  public ManualClock() {
    this(DEFAULT_START);
  }

  public ManualClock(Instant start) {
    this(
        new AtomicLong(Objects.requireNonNull(start, "start").toEpochMilli()),
        ZoneOffset.UTC,
        new CopyOnWriteArrayList<>());
  }

  private ManualClock(AtomicLong millis, ZoneId zone, List<Runnable> listeners) {
    this.millis = millis;
    this.zone = zone;
    this.listeners = listeners;
  }

  /**
   * Runs {@code listener} on the moving thread after every change of the time (e.g. to fire
   * timeouts that are due: {@link InMemoryNetwork} uses this for request timeouts).
   */
  public void addListener(Runnable listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private long changed(long now) {
    for (Runnable l : listeners) {
      l.run();
    }
    return now;
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A clock in another zone that shares this clock's time (advancing one advances both). */
  @Override
  public ManualClock withZone(ZoneId zone) {
    return new ManualClock(millis, Objects.requireNonNull(zone, "zone"), listeners);
  }

  /** Moves time forward (or backward, for a negative amount) and returns the new time in millis. */
  public long advance(Duration amount) {
    return changed(millis.addAndGet(Objects.requireNonNull(amount, "amount").toMillis()));
  }

  public long advanceMillis(long amount) {
    return changed(millis.addAndGet(amount));
  }

  public void setMillis(long epochMillis) {
    millis.set(epochMillis);
    changed(epochMillis);
  }

  public void set(Instant instant) {
    setMillis(Objects.requireNonNull(instant, "instant").toEpochMilli());
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}
