package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.engine.Mode;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CohortSettingsTest {

  private static NodeConfig build(Consumer<CohortSettings> change) {
    CohortSettings s = new CohortSettings();
    change.accept(s);
    return s.build("n1", "/shop");
  }

  @Test
  void defaults_areBackupSyncOneHolder_andClusterNameCarriesTheContext() {
    NodeConfig c = build(s -> {});
    assertThat(c.engine().mode()).isEqualTo(Mode.BACKUP);
    assertThat(c.engine().backups()).isEqualTo(1);
    assertThat(c.engine().sync()).isTrue();
    assertThat(c.clusterName()).isEqualTo("cohort/shop");
    assertThat(c.port()).isEqualTo(4000);
    assertThat(c.heartbeat()).isEqualTo(Duration.ofMillis(500));
    assertThat(new CohortSettings().build("n1", "").clusterName()).isEqualTo("cohort/ROOT");
  }

  @Test
  void defaultFilter_skipsStaticResourcesOnly() {
    NodeConfig c = build(s -> {});
    assertThat(c.replicationFilter().matcher("/img/logo.PNG").matches()).isTrue();
    assertThat(c.replicationFilter().matcher("/app.js").matches()).isTrue();
    assertThat(c.replicationFilter().matcher("/cart").matches()).isFalse();
    assertThat(c.replicationFilter().matcher("/counter.jsp").matches()).isFalse();
  }

  @Test
  void missingJvmRoute_failsNamingJvmRoute() {
    assertThatThrownBy(() -> new CohortSettings().build(null, "/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("jvmRoute:");
  }

  @Test
  void badValues_failNamingTheAttribute() {
    expectOption(s -> s.mode = "mirror", "mode:");
    expectOption(s -> s.backups = 0, "backups:");
    expectOption(s -> s.syncTimeout = 0, "syncTimeout:");
    expectOption(s -> s.replicationFilter = "([", "replicationFilter:");
    expectOption(s -> s.secret = "short", "secret:");
    expectOption(s -> s.discovery = "carrier-pigeon", "discovery:");
    expectOption(s -> s.dropTime = 600, "dropTime:");
    expectOption(s -> s.port = 70000, "port:");
    expectOption(s -> s.allowedClasses = "com.shop.*;!*", "allowedClasses:");
    expectOption(s -> s.store = "redis://x", "store:");
    expectOption(s -> s.clusterName = " ", "clusterName:");
  }

  @Test
  void allowedClasses_areSplitOnCommas() {
    NodeConfig c = build(s -> s.allowedClasses = " com.shop.Cart, com.shop.model.** ,");
    assertThat(c.engine().allowedClasses()).containsExactly("com.shop.Cart", "com.shop.model.**");
  }

  @Test
  void jgroupsChannelConfig_isBuiltFromTheSameAttributes() {
    NodeConfig c = build(s -> s.discovery = "static:127.0.0.1:4000,127.0.0.1:4001");
    var j = JGroupsEngineFactory.channelConfig(c);
    assertThat(j.clusterName()).isEqualTo("cohort/shop");
    assertThat(j.nodeName()).isEqualTo("n1");
    assertThat(j.port()).isEqualTo(4000);
  }

  private static void expectOption(Consumer<CohortSettings> change, String prefix) {
    assertThatThrownBy(() -> build(change))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(prefix);
  }
}
