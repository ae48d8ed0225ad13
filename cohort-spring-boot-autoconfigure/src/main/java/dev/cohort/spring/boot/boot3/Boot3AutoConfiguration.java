package dev.cohort.spring.boot.boot3;

import dev.cohort.spring.boot.CohortAutoConfiguration;
import dev.cohort.spring.boot.CohortInstaller;
import dev.cohort.tomcat.CohortCluster;
import org.springframework.boot.actuate.autoconfigure.availability.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * What {@link CohortAutoConfiguration} needs of Spring Boot 3 (3.5), whose classes Spring Boot 4
 * moved; active only on Spring Boot 3 (its Tomcat factory's class is the test), when {@link
 * CohortAutoConfiguration} installed a cluster:
 *
 * <ul>
 *   <li>the customizer of the {@code TomcatServletWebServerFactory} ({@link
 *       CohortTomcatCustomizer});
 *   <li>with Actuator: the {@code cohort} health indicator ({@link CohortHealthIndicator}) and the
 *       same indicator in the {@code readiness} group ({@link CohortReadiness}). This runs after
 *       {@link AvailabilityProbesAutoConfiguration}, whose post-processor creates that group, so
 *       that the group exists when Cohort adds itself to it.
 * </ul>
 *
 * {@code dev.cohort.spring.boot.boot4.Boot4AutoConfiguration} (module
 * cohort-spring-boot4-autoconfigure) does the same on Spring Boot 4.
 */
@AutoConfiguration(
    after = CohortAutoConfiguration.class,
    afterName =
        "org.springframework.boot.actuate.autoconfigure.availability.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(
    name = "org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory")
@ConditionalOnBean(CohortCluster.class)
public class Boot3AutoConfiguration {

  @Bean
  @ConditionalOnBean(CohortInstaller.class)
  CohortTomcatCustomizer cohortTomcatCustomizer(CohortInstaller installer) {
    return new CohortTomcatCustomizer(installer);
  }

  /** Actuator's health on Spring Boot 3. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  static class Health {
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
  }
}
