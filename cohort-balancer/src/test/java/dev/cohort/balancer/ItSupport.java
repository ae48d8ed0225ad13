package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Starts backends and balancers for a test and closes them after it, newest first; then checks that
 * no Netty buffer leaked (tests run with paranoid leak detection).
 */
abstract class ItSupport {
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** Leak reports already blamed on an earlier test. */
  private static int leaksSeen;

  @AfterEach
  void closeAllThenCheckForLeaks() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    closeables.clear();
    List<String> reports = LeakCheck.leaksAfterGc();
    List<String> fresh = reports.subList(Math.min(leaksSeen, reports.size()), reports.size());
    leaksSeen = reports.size();
    assertThat(fresh).as("Netty buffers leaked during this test").isEmpty();
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  TestBackend backend(String route) throws Exception {
    return closeLater(TestBackend.start(route));
  }

  Balancer balancer(BalancerConfig config) {
    Balancer b = closeLater(new Balancer(config));
    b.start();
    return b;
  }

  static BalancerConfig config(List<Backend> backends) {
    return BalancerConfig.defaults(backends)
        .withPort(0)
        .withAdminPort(0)
        .withHealthInterval(Duration.ofMillis(200));
  }

  static BalancerConfig config(TestBackend... backends) {
    List<Backend> list = new ArrayList<>();
    for (TestBackend b : backends) {
      list.add(b.backend());
    }
    return config(list);
  }
}
