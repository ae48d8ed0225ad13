package dev.cohort.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.spring.boot.boot3.Boot3AutoConfiguration;
import dev.cohort.spring.boot.boot3.CohortHealthIndicator;
import dev.cohort.spring.boot.boot3.CohortTomcatCustomizer;
import dev.cohort.tomcat.CohortCluster;
import dev.cohort.tomcat.ReplicatedManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Conditions, property binding and validation of the auto-configuration; no web server. */
@ExtendWith(OutputCaptureExtension.class)
class CohortAutoConfigurationTest {
  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  CohortAutoConfiguration.class,
                  CohortActuatorAutoConfiguration.class,
                  Boot3AutoConfiguration.class))
          .withPropertyValues("cohort.node-name=n1");

  @Test
  void installsClusterAndCustomizer_inAServletApplication() {
    web.run(
        ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx).hasSingleBean(CohortCluster.class);
          assertThat(ctx).hasSingleBean(CohortInstaller.class);
          assertThat(ctx).hasSingleBean(CohortTomcatCustomizer.class);
          assertThat(ctx).hasSingleBean(CohortMeterBinder.class);
          assertThat(ctx).hasSingleBean(CohortHealthIndicator.class);
        });
  }

  @Test
  void configuresTheClusterFromProperties() {
    web.withPropertyValues(
            "cohort.mode=all",
            "cohort.cluster-name=shop",
            "cohort.sync=false",
            "cohort.discovery=static:127.0.0.1:7801,127.0.0.1:7802")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CohortCluster c = ctx.getBean(CohortCluster.class);
              assertThat(c.getClusterName()).isEqualTo("shop");
              CohortProperties p = ctx.getBean(CohortProperties.class);
              assertThat(p.getMode()).isEqualTo("all");
              assertThat(p.isSync()).isFalse();
            });
  }

  @Test
  void attributeFilters_reachTheManagersTheClusterCreates() {
    web.withPropertyValues(
            "cohort.session-attribute-name-filter=cart|user",
            "cohort.session-attribute-value-class-name-filter=java\\.lang\\..*")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ReplicatedManager m =
                  (ReplicatedManager) ctx.getBean(CohortCluster.class).createManager("/t");
              assertThat(m.getSessionAttributeNameFilter()).isEqualTo("cart|user");
              assertThat(m.getSessionAttributeValueClassNameFilter()).isEqualTo("java\\.lang\\..*");
            });
  }

  @Test
  void clusterName_defaultsToTheApplicationName_thenToCohort() {
    web.withPropertyValues("spring.application.name=shop-app")
        .run(
            ctx ->
                assertThat(ctx.getBean(CohortCluster.class).getClusterName())
                    .isEqualTo("shop-app"));
    web.withPropertyValues("spring.application.name=shop-app", "cohort.cluster-name=orders")
        .run(
            ctx ->
                assertThat(ctx.getBean(CohortCluster.class).getClusterName()).isEqualTo("orders"));
    web.run(
        ctx -> assertThat(ctx.getBean(CohortCluster.class).getClusterName()).isEqualTo("cohort"));
  }

  @Test
  void acceptsDnsDiscoveryWithAServer() {
    web.withPropertyValues("cohort.discovery=dns:shop-cohort.shop.svc@127.0.0.1:5353")
        .run(ctx -> assertThat(ctx).hasNotFailed());
  }

  @Test
  void healthIndicatorCanBeSwitchedOff() {
    web.withPropertyValues("management.health.cohort.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(CohortHealthIndicator.class);
              assertThat(ctx).hasSingleBean(CohortCluster.class);
            });
  }

  @Test
  void staysAway_whenDisabled() {
    web.withPropertyValues("cohort.enabled=false", "cohort.mode=bogus")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(CohortCluster.class);
            });
  }

  @Test
  void staysAway_outsideAServletApplication() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                CohortAutoConfiguration.class,
                CohortActuatorAutoConfiguration.class,
                Boot3AutoConfiguration.class))
        .run(ctx -> assertThat(ctx).doesNotHaveBean(CohortCluster.class));
  }

  @Test
  void keepsTheApplicationsOwnCluster() {
    CohortCluster own = new CohortCluster();
    web.withBean(CohortCluster.class, () -> own)
        .run(ctx -> assertThat(ctx.getBean(CohortCluster.class)).isSameAs(own));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "cohort.backups=-1 | cohort.backups: -1 is not between 1 and 16",
        "cohort.mode=bogus | cohort.mode: 'bogus' is not one of all, backup",
        "cohort.discovery=foo | cohort.discovery: 'foo' is not multicast",
        "cohort.port-range=5000 | cohort.port-range: 5000 is not between 0 and 1000",
        "cohort.port=70000 | cohort.port: must be 0..65535",
        "cohort.heartbeat=0s | cohort.heartbeat: must be a positive duration",
        "cohort.drop-time=600ms | cohort.drop-time: must be at least twice the heartbeat",
        "cohort.store=redis://x | cohort.store: 'redis:...' is not a jdbc:URL or file:DIR spec",
        "cohort.node-name=a.b | cohort.node-name: 'a.b' may use only letters",
        "cohort.replication-filter=( | cohort.replication-filter: not a valid regular expression",
        "cohort.session-attribute-name-filter=( | cohort.session-attribute-name-filter: not a valid",
        "cohort.session-attribute-value-class-name-filter=[ | cohort.session-attribute-value-class-name-filter:"
            + " not a valid",
        "cohort.allowed-classes=a b | cohort.allowed-classes: 'a b' is not a class name",
        "cohort.sync-timeout=-5s | cohort.sync-timeout: must be a positive duration",
      })
  void badValue_failsStart_namingTheProperty(String property, String expected) {
    web.withPropertyValues(property)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure())).contains(expected);
            });
  }

  @Test
  void shortSecret_failsStart_namingThePropertyButNotTheSecret() {
    web.withPropertyValues("cohort.secret=tooShort42")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              String all = messages(ctx.getStartupFailure());
              assertThat(all).contains("cohort.secret: must be at least 16 bytes");
              assertThat(all).doesNotContain("tooShort42");
            });
  }

  @Test
  void nonLoopbackBindWithoutSecret_failsStart_namingTheSecretProperty() {
    web.withPropertyValues("cohort.bind-address=192.0.2.10")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure()))
                  .contains("cohort.secret: required when the cluster port binds 192.0.2.10")
                  .contains("insecure=true");
            });
  }

  @Test
  void nonLoopbackBindWithoutSecret_startsWithTheInsecureOptOut() {
    web.withPropertyValues("cohort.bind-address=192.0.2.10", "cohort.insecure=true")
        .run(ctx -> assertThat(ctx).hasNotFailed());
  }

  @Test
  void nonLoopbackBindWithASecret_starts() {
    web.withPropertyValues(
            "cohort.bind-address=192.0.2.10", "cohort.secret=0123456789abcdef-spring")
        .run(ctx -> assertThat(ctx).hasNotFailed());
  }

  @Test
  void secretFile_setsTheSecret_andCannotBeCombinedWithSecret(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secret");
    Files.writeString(file, "0123456789abcdef-from-a-file\n");
    web.withPropertyValues("cohort.bind-address=192.0.2.10", "cohort.secret-file=" + file)
        .run(ctx -> assertThat(ctx).hasNotFailed());
    web.withPropertyValues("cohort.secret-file=" + file, "cohort.secret=0123456789abcdef-inline")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure()))
                  .contains("cohort.secret-file: give either secret or secret-file");
            });
    web.withPropertyValues("cohort.secret-file=" + dir.resolve("missing"))
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure()))
                  .contains("cohort.secret-file: cannot read the secret");
            });
  }

  @Test
  void loopbackBindWithoutSecret_starts() {
    web.run(ctx -> assertThat(ctx).hasNotFailed());
  }

  @Test
  void meterBinder_registersCohortMeters_readingZeroBeforeStart() {
    web.run(
        ctx -> {
          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          ctx.getBean(CohortMeterBinder.class).bindTo(registry);
          assertThat(registry.get("cohort.sessions.owned").tag("node", "n1").gauge().value())
              .isZero();
          assertThat(registry.get("cohort.deltas.sent").functionCounter().count()).isZero();
          assertThat(registry.get("cohort.ready").gauge().value()).isZero();
        });
  }

  @Test
  void healthIsDown_beforeTheClusterStarted() {
    web.run(
        ctx ->
            assertThat(ctx.getBean(CohortHealthIndicator.class).health().getStatus().getCode())
                .isEqualTo("DOWN"));
  }

  @Test
  void everyPropertyHasMetadataWithADescription() throws Exception {
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated metadata").isNotNull();
      Map<String, Object> json =
          JsonParserFactory.getJsonParser().parseMap(new String(in.readAllBytes()));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> props = (List<Map<String, Object>>) json.get("properties");
      List<String> names = new ArrayList<>();
      for (Map<String, Object> p : props) {
        names.add((String) p.get("name"));
        assertThat((String) p.get("description"))
            .as("description of %s", p.get("name"))
            .isNotBlank();
      }
      assertThat(names)
          .contains(
              "cohort.enabled",
              "cohort.node-name",
              "cohort.mode",
              "cohort.backups",
              "cohort.sync",
              "cohort.discovery",
              "cohort.bind-address",
              "cohort.port",
              "cohort.cluster-name",
              "cohort.secret",
              "cohort.store");
    }
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c).append('\n');
    }
    return b.toString();
  }
}
