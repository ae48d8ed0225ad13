package dev.cohort.tomcat.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.testkit.WithoutClasses;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Micrometer and its Prometheus registry are optional dependencies: without them the admin
 * endpoints answer as usual and {@code /cohort/metrics} says what to add.
 */
class WithoutMicrometerTest {

  private static Object[] answer(ClassLoader loader, String path) throws Exception {
    Class<?> endpoints = Class.forName("dev.cohort.tomcat.admin.AdminEndpoints", true, loader);
    Constructor<?> c = endpoints.getDeclaredConstructor(Supplier.class, String.class, Clock.class);
    c.setAccessible(true);
    Supplier<Collection<SessionEngine>> engines = () -> List.of(new FakeEngine(3, "n1", "n2"));
    Object admin = c.newInstance(engines, "n1", Clock.systemUTC());
    Method answer = endpoints.getDeclaredMethod("answer", String.class);
    answer.setAccessible(true);
    Object reply = answer.invoke(admin, path);
    Method status = reply.getClass().getDeclaredMethod("status");
    Method body = reply.getClass().getDeclaredMethod("body");
    status.setAccessible(true);
    body.setAccessible(true);
    return new Object[] {status.invoke(reply), body.invoke(reply)};
  }

  @Test
  void withoutPrometheusRegistry_metricsSaysWhatToAdd_andStatusAnswers() throws Exception {
    try (WithoutClasses loader =
        WithoutClasses.of(
            List.of("io.micrometer.prometheusmetrics.", "io.prometheus."),
            List.of("dev.cohort.tomcat."),
            AdminEndpoints.class)) {
      Object[] metrics = answer(loader, "/cohort/metrics");
      assertThat(metrics[0]).isEqualTo(501);
      assertThat((String) metrics[1])
          .contains("add the dependency io.micrometer:micrometer-registry-prometheus");
      Object[] status = answer(loader, "/cohort/status");
      assertThat(status[0]).isEqualTo(200);
      assertThat((String) status[1]).contains("\"members\":[\"n1\",\"n2\"]");
    }
  }

  @Test
  void withoutMicrometerAtAll_healthAnswers() throws Exception {
    try (WithoutClasses loader =
        WithoutClasses.of(
            List.of("io.micrometer.", "io.prometheus."),
            List.of("dev.cohort.tomcat."),
            AdminEndpoints.class)) {
      assertThat(answer(loader, "/cohort/metrics")[0]).isEqualTo(501);
      assertThat(answer(loader, "/cohort/health")[0]).isEqualTo(200);
    }
  }

  @Test
  void withThem_metricsAnswers() {
    AdminEndpoints admin =
        new AdminEndpoints(() -> List.of(new FakeEngine(3, "n1", "n2")), "n1", Clock.systemUTC());
    AdminEndpoints.Reply reply = admin.answer("/cohort/metrics");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).contains("cohort_members{node=\"n1\"} 2.0");
  }
}
