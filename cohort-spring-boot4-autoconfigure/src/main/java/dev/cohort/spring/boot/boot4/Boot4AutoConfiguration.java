package dev.cohort.spring.boot.boot4;

import dev.cohort.spring.boot.CohortAutoConfiguration;
import dev.cohort.spring.boot.CohortInstaller;
import dev.cohort.tomcat.CohortCluster;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * What {@link CohortAutoConfiguration} needs of Spring Boot 4, which moved the Tomcat factory into
 * {@code org.springframework.boot.tomcat} and the health classes into {@code
 * org.springframework.boot.health}; active only on Spring Boot 4 (its Tomcat factory's class is the
 * test), when {@link CohortAutoConfiguration} installed a cluster:
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
 * {@code dev.cohort.spring.boot.boot3.Boot3AutoConfiguration} (module
 * cohort-spring-boot-autoconfigure) does the same on Spring Boot 3.
 */
@AutoConfiguration(
    after = CohortAutoConfiguration.class,
    afterName =
        "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory")
@ConditionalOnBean(CohortCluster.class)
public class Boot4AutoConfiguration {

  @Bean
  @ConditionalOnBean(CohortInstaller.class)
  CohortTomcatCustomizer cohortTomcatCustomizer(CohortInstaller installer) {
    return new CohortTomcatCustomizer(installer);
  }

  /** Actuator's health on Spring Boot 4. */
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
