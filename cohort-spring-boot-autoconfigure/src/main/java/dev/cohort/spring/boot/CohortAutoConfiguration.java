package dev.cohort.spring.boot;

import dev.cohort.tomcat.CohortCluster;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.catalina.startup.Tomcat;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Installs Cohort into Spring Boot's embedded Tomcat (servlet stack): every session of the
 * application is replicated to the other instances with the same {@code cohort.cluster-name}.
 *
 * <p>Active when Tomcat and Cohort are on the class path of a servlet web application and {@code
 * cohort.enabled} is not false. Beans:
 *
 * <ul>
 *   <li>{@link CohortCluster}: the Tomcat {@code Cluster}, configured from {@link CohortProperties}
 *       (bound and validated at start: a bad value stops the application, naming the property);
 *   <li>{@link CohortInstaller}, which marks the application's context distributable, sets the
 *       Engine's jvmRoute to {@code cohort.node-name} and attaches the cluster (which adds the
 *       replication valve and, with {@code cohort.admin-enabled}, the {@code /cohort/*} endpoints).
 *       Spring Boot 3 and 4 have their Tomcat factory in different packages: the customizer that
 *       calls the installer comes from {@code dev.cohort.spring.boot.boot3.Boot3AutoConfiguration}
 *       or {@code dev.cohort.spring.boot.boot4.Boot4AutoConfiguration}, whichever matches, as do
 *       Actuator's health indicator and readiness group;
 *   <li>with Micrometer: {@link CohortMeterBinder}, the node's figures in the application's
 *       registry;
 *   <li>with Actuator: see {@link CohortActuatorAutoConfiguration}.
 * </ul>
 *
 * An application that defines its own {@link CohortCluster} bean keeps it (and gets the customizer
 * for it).
 */
@AutoConfiguration(
    beforeName = {
      "org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration",
      "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration"
    })
@ConditionalOnClass({Tomcat.class, CohortCluster.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "cohort", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(CohortProperties.class)
public class CohortAutoConfiguration {

  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public CohortCluster cohortCluster(CohortProperties properties, Environment environment) {
    properties.applicationName(environment.getProperty("spring.application.name"));
    return CohortInstaller.cluster(properties);
  }

  @Bean
  public CohortInstaller cohortInstaller(CohortCluster cohortCluster, CohortProperties properties) {
    return new CohortInstaller(
        cohortCluster, properties.resolvedNodeName(), properties.getAdminAddress());
  }

  /** The node's figures in the application's Micrometer registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    CohortMeterBinder cohortMeterBinder(CohortCluster cohortCluster, CohortProperties properties) {
      return new CohortMeterBinder(cohortCluster, properties.resolvedNodeName());
    }
  }
}
