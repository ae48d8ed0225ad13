package dev.cohort.spring.boot.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.spring.boot.CohortActuatorAutoConfiguration;
import dev.cohort.spring.boot.CohortAutoConfiguration;
import dev.cohort.spring.boot.CohortEndpoint;
import dev.cohort.spring.boot.CohortInstaller;
import dev.cohort.spring.boot.CohortMeterBinder;
import dev.cohort.spring.boot.boot3.Boot3AutoConfiguration;
import dev.cohort.tomcat.CohortCluster;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

/**
 * The auto-configuration on Spring Boot 4: the generation-neutral beans, Spring Boot 4's
 * customizer, health indicator and readiness membership, and none of Spring Boot 3's (whose classes
 * are absent here). The two-node fail-over on Spring Boot 4 runs in cohort-spring-boot-starter's
 * invoker build of the example.
 */
class Boot4AutoConfigurationTest {
  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  CohortAutoConfiguration.class,
                  CohortActuatorAutoConfiguration.class,
                  Boot3AutoConfiguration.class,
                  Boot4AutoConfiguration.class,
                  ApplicationAvailabilityAutoConfiguration.class,
                  EndpointAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class,
                  HealthContributorRegistryAutoConfiguration.class,
                  HealthEndpointAutoConfiguration.class,
                  AvailabilityProbesAutoConfiguration.class))
          .withPropertyValues("cohort.node-name=n1");

  @Test
  void installsSpringBoot4sBeans_andNoneOfSpringBoot3s() {
    web.run(
        ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx).hasSingleBean(CohortCluster.class);
          assertThat(ctx).hasSingleBean(CohortInstaller.class);
          assertThat(ctx).hasSingleBean(CohortTomcatCustomizer.class);
          assertThat(ctx).hasSingleBean(CohortHealthIndicator.class);
          assertThat(ctx).hasSingleBean(CohortMeterBinder.class);
          assertThat(ctx.getBeanDefinitionNames())
              .extracting(name -> String.valueOf(ctx.getType(name)))
              .noneMatch(type -> type.contains("dev.cohort.spring.boot.boot3."))
              .anyMatch(type -> type.contains("dev.cohort.spring.boot.boot4."));
        });
  }

  @Test
  void cohortEndpoint_onceExposed() {
    web.withPropertyValues("management.endpoints.web.exposure.include=health,cohort")
        .run(ctx -> assertThat(ctx).hasSingleBean(CohortEndpoint.class));
  }

  @Test
  void healthIsDown_beforeTheClusterStarted() {
    web.run(
        ctx -> {
          var health = ctx.getBean(CohortHealthIndicator.class).health();
          assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
          assertThat(health.getDetails())
              .containsEntry("reason", "no replicated context is running");
        });
  }

  @Test
  void healthIndicatorCanBeSwitchedOff() {
    web.withPropertyValues("management.health.cohort.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(CohortHealthIndicator.class);
              assertThat(ctx).hasSingleBean(CohortTomcatCustomizer.class);
            });
  }

  @Test
  void cohortJoinsTheReadinessGroup_unlessExcluded() {
    web.withPropertyValues("management.endpoint.health.probes.enabled=true")
        .run(
            ctx ->
                assertThat(
                        ctx.getBean(HealthEndpointGroups.class).get("readiness").isMember("cohort"))
                    .isTrue());
    web.withPropertyValues(
            "management.endpoint.health.probes.enabled=true",
            "management.endpoint.health.group.readiness.exclude=cohort")
        .run(
            ctx ->
                assertThat(
                        ctx.getBean(HealthEndpointGroups.class).get("readiness").isMember("cohort"))
                    .isFalse());
  }

  @Test
  void customizer_addsTheAdminConnectorToSpringBoot4sFactory() {
    web.withPropertyValues("cohort.admin-port=19090")
        .run(
            ctx -> {
              TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
              ctx.getBean(CohortTomcatCustomizer.class).customize(factory);
              assertThat(factory.getAdditionalConnectors())
                  .extracting(Connector::getPort)
                  .containsExactly(19090);
              assertThat(factory.getContextCustomizers()).hasSize(1);
            });
  }

  @Test
  void staysAway_whenDisabled() {
    web.withPropertyValues("cohort.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(CohortCluster.class);
              assertThat(ctx).doesNotHaveBean(CohortTomcatCustomizer.class);
            });
  }
}
