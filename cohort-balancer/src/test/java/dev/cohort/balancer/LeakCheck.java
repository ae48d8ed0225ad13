package dev.cohort.balancer;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects Netty's leak reports ("LEAK: ... release() was not called") so that a test can fail on
 * them. Tests run with {@code io.netty.leakDetection.level=paranoid} (this module's pom): every
 * buffer is tracked, and a report is logged when a leaked buffer has been collected and a later
 * allocation looks at the queue — {@link #leaksAfterGc()} provokes both.
 */
final class LeakCheck {
  private static final Logger NETTY_LEAK_LOGGER =
      Logger.getLogger(ResourceLeakDetector.class.getName());
  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

  static {
    NETTY_LEAK_LOGGER.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getMessage() != null && r.getMessage().contains("LEAK")) {
              REPORTS.add(r.getMessage());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
    NETTY_LEAK_LOGGER.setLevel(Level.ALL);
  }

  private LeakCheck() {}

  static void install() {
    // the static initializer does the work
  }

  /** Runs the collector, lets the detector look, and returns the reports so far. */
  static List<String> leaksAfterGc() throws InterruptedException {
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(20); // lets the reference handler enqueue the collected trackers
      for (int i = 0; i < 64; i++) {
        ByteBufAllocator.DEFAULT.buffer(8).release();
      }
    }
    return List.copyOf(REPORTS);
  }
}
