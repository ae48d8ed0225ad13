package dev.cohort.spring.boot.boot4;

import dev.cohort.spring.boot.CohortHealth;
import dev.cohort.tomcat.CohortCluster;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** Actuator's {@code cohort} health on Spring Boot 4: {@link CohortHealth} as Boot 4's Health. */
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
