package dev.cohort.spring.boot;

import dev.cohort.tomcat.CohortCluster;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Actuator's {@code cohort} endpoint ({@link CohortEndpoint}), when Actuator is present and {@link
 * CohortAutoConfiguration} installed a cluster. The endpoint's classes are the same in Spring Boot
 * 3 and 4; the health indicator and the readiness group are not, and come from each generation's
 * auto-configuration.
 */
@AutoConfiguration(after = CohortAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(CohortCluster.class)
public class CohortActuatorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  CohortEndpoint cohortEndpoint(CohortCluster cohortCluster) {
    return new CohortEndpoint(cohortCluster);
  }
}
