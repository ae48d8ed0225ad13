package dev.cohort.example.cart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What the starter brings into the application's executable jar: Cohort and JGroups, but no JDBC
 * pool or driver and no Prometheus registry (optional dependencies of Cohort: with one on its class
 * path, Spring Boot would configure a DataSource or a Prometheus registry the application never
 * asked for).
 */
class ApplicationJarIT {

  @Test
  void bringsCohort_andNoDatabaseOrPrometheusLibrary() throws Exception {
    List<String> libs;
    try (JarFile jar = new JarFile(CartProcess.jar().toFile())) {
      libs =
          jar.stream()
              .map(JarEntry::getName)
              .filter(n -> n.startsWith("BOOT-INF/lib/") && n.endsWith(".jar"))
              .map(n -> n.substring("BOOT-INF/lib/".length()))
              .toList();
    }
    assertThat(libs)
        .anyMatch(l -> l.startsWith("cohort-spring-boot-starter-"))
        .anyMatch(l -> l.startsWith("cohort-tomcat-"))
        .anyMatch(l -> l.startsWith("jgroups-"))
        .noneMatch(l -> l.startsWith("h2-"))
        .noneMatch(l -> l.startsWith("postgresql-"))
        .noneMatch(l -> l.startsWith("HikariCP-"))
        .noneMatch(l -> l.startsWith("micrometer-registry-prometheus"))
        .noneMatch(l -> l.startsWith("prometheus-metrics-"));
  }
}
