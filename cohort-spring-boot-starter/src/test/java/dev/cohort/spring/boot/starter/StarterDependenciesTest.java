package dev.cohort.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the starter brings into an application: its runtime dependencies as Maven resolves them for
 * a consumer (maven-dependency-plugin's list, written by this module's build). Cohort and JGroups,
 * and neither a JDBC pool or driver nor a Prometheus registry: Spring Boot configures a DataSource
 * or a Prometheus registry when it finds one, and an application that uses neither must not get
 * them. Nor any Spring Boot 4 module (a Spring Boot 3 application would get it).
 */
class StarterDependenciesTest {

  private static List<String> dependencies() throws Exception {
    Path list = Path.of(System.getProperty("cohort.starterDependencies"));
    return Files.readAllLines(list).stream()
        .map(String::strip)
        .filter(l -> l.split(":").length >= 4)
        .toList();
  }

  @Test
  void bringsCohortAndJGroups() throws Exception {
    assertThat(dependencies())
        .anyMatch(d -> d.startsWith("dev.cohort:cohort-spring-boot-autoconfigure:jar:"))
        .anyMatch(d -> d.startsWith("dev.cohort:cohort-spring-boot4-autoconfigure:jar:"))
        .anyMatch(d -> d.startsWith("dev.cohort:cohort-tomcat:jar:"))
        .anyMatch(d -> d.startsWith("org.jgroups:jgroups:jar:"));
  }

  @Test
  void bringsNoJdbcPoolDriverOrPrometheusRegistry() throws Exception {
    assertThat(dependencies())
        .noneMatch(d -> d.startsWith("com.h2database:"))
        .noneMatch(d -> d.startsWith("org.postgresql:"))
        .noneMatch(d -> d.startsWith("com.zaxxer:"))
        .noneMatch(d -> d.startsWith("io.micrometer:micrometer-registry-prometheus"))
        .noneMatch(d -> d.startsWith("io.prometheus:"));
  }

  @Test
  void bringsNoSpringBoot4Module() throws Exception {
    assertThat(dependencies())
        .noneMatch(d -> d.startsWith("org.springframework.boot:spring-boot-tomcat:"))
        .noneMatch(d -> d.startsWith("org.springframework.boot:spring-boot-health:"))
        .noneMatch(d -> d.contains(":4.0."));
  }
}
