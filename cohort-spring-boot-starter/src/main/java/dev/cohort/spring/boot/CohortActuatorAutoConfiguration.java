package dev.cohort.spring.boot;

import dev.cohort.tomcat.CohortCluster;
import org.springframework.boot.actuate.autoconfigure.availability.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Cohort in Actuator, when both are present and {@link CohortAutoConfiguration} installed a
 * cluster:
 *
 * <ul>
 *   <li>the {@code cohort} health indicator ({@link CohortHealthIndicator});
 *   <li>the same indicator in the {@code readiness} group ({@link CohortReadiness}). It runs after
 *       {@link AvailabilityProbesAutoConfiguration}, whose post-processor creates that group, so
 *       that the group exists when Cohort adds itself to it;
 *   <li>the {@code cohort} endpoint ({@link CohortEndpoint}).
 * </ul>
 */
@AutoConfiguration(
    after = {CohortAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class})
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(CohortCluster.class)
public class CohortActuatorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "cohortHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("cohort")
  CohortHealthIndicator cohortHealthIndicator(CohortCluster cohortCluster) {
    return new CohortHealthIndicator(cohortCluster);
  }

  @Bean
  @ConditionalOnEnabledHealthIndicator("cohort")
  CohortReadiness cohortReadiness(Environment environment) {
    return new CohortReadiness(environment);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnClass(Endpoint.class)
  @ConditionalOnAvailableEndpoint
  CohortEndpoint cohortEndpoint(CohortCluster cohortCluster) {
    return new CohortEndpoint(cohortCluster);
  }
}
