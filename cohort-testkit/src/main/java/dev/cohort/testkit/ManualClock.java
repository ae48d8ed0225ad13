package dev.cohort.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
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

  /** Starts at {@link #DEFAULT_START}, zone UTC. */
  public ManualClock() {
    this(DEFAULT_START);
  }

  public ManualClock(Instant start) {
    this(new AtomicLong(Objects.requireNonNull(start, "start").toEpochMilli()), ZoneOffset.UTC);
  }

  private ManualClock(AtomicLong millis, ZoneId zone) {
    this.millis = millis;
    this.zone = zone;
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
    return new ManualClock(millis, Objects.requireNonNull(zone, "zone"));
  }

  /** Moves time forward (or backward, for a negative amount) and returns the new time in millis. */
  public long advance(Duration amount) {
    return millis.addAndGet(Objects.requireNonNull(amount, "amount").toMillis());
  }

  public long advanceMillis(long amount) {
    return millis.addAndGet(amount);
  }

  public void setMillis(long epochMillis) {
    millis.set(epochMillis);
  }

  public void set(Instant instant) {
    millis.set(Objects.requireNonNull(instant, "instant").toEpochMilli());
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}
