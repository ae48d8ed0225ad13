package dev.cohort.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ManualClockTest {

  @Test
  void timeMovesOnlyWhenAdvanced() {
    ManualClock clock = new ManualClock();
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
    assertThat(clock.millis()).isEqualTo(ManualClock.DEFAULT_START.toEpochMilli());
    clock.advance(Duration.ofMinutes(30));
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plus(Duration.ofMinutes(30)));
    clock.advanceMillis(5);
    assertThat(clock.millis())
        .isEqualTo(
            ManualClock.DEFAULT_START.toEpochMilli() + Duration.ofMinutes(30).toMillis() + 5);
  }

  @Test
  void setMovesToAnInstant_andZoneCopiesShareTheTime() {
    ManualClock clock = new ManualClock(Instant.parse("2030-05-01T10:00:00Z"));
    ManualClock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    clock.set(Instant.parse("2031-01-01T00:00:00Z"));
    assertThat(paris.instant()).isEqualTo(Instant.parse("2031-01-01T00:00:00Z"));
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    paris.setMillis(42);
    assertThat(clock.millis()).isEqualTo(42);
  }

  @Test
  void listenersRunAfterEveryChange_onZoneCopiesToo() {
    ManualClock clock = new ManualClock(Instant.EPOCH);
    java.util.List<Long> seen = new java.util.ArrayList<>();
    clock.addListener(() -> seen.add(clock.millis()));
    clock.advanceMillis(5);
    clock.withZone(ZoneId.of("Europe/Paris")).advance(Duration.ofMillis(5));
    clock.setMillis(100);
    assertThat(seen).containsExactly(5L, 10L, 100L);
  }

  @Test
  void concurrentAdvances_areNotLost() throws Exception {
    ManualClock clock = new ManualClock(Instant.EPOCH);
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] =
          new Thread(
              () -> {
                for (int j = 0; j < 10_000; j++) {
                  clock.advanceMillis(1);
                }
              });
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(clock.millis()).isEqualTo(40_000);
  }
}
