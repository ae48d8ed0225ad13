package dev.cohort.spring.boot.boot3;

import dev.cohort.spring.boot.CohortHealth;
import dev.cohort.tomcat.CohortCluster;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/** Actuator's {@code cohort} health on Spring Boot 3: {@link CohortHealth} as Boot 3's Health. */
public final class CohortHealthIndicator extends AbstractHealthIndicator {
  private final CohortCluster cluster;

  public CohortHealthIndicator(CohortCluster cluster) {
    super("checking Cohort's health failed");
    this.cluster = cluster;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    CohortHealth health = CohortHealth.of(cluster);
    builder.status(health.status()).withDetails(health.details());
  }
}
