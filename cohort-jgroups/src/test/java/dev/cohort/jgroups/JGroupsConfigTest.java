package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JGroupsConfigTest {
  private final JGroupsConfig base = JGroupsConfig.defaults("n1", "127.0.0.1");

  @Test
  void defaults_matchTomcatsKnobs() {
    assertThat(base.clusterName()).isEqualTo("cohort");
    assertThat(base.nodeName()).isEqualTo("n1");
    assertThat(base.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(base.port()).isEqualTo(4000);
    assertThat(base.portRange()).isEqualTo(100);
    assertThat(base.discovery()).isEqualTo("multicast:228.0.0.4:45564");
    assertThat(base.heartbeat()).isEqualTo(Duration.ofMillis(500));
    assertThat(base.dropTime()).isEqualTo(Duration.ofMillis(3000));
    assertThat(base.secret()).isNull();
    assertThat(base.maxFrameBytes()).isEqualTo(16 * 1024 * 1024);
  }

  @Test
  void withMethods_changeOneComponentEach() {
    JGroupsConfig c =
        base.withClusterName("c")
            .withNodeName("n2")
            .withBindAddress("10.0.0.1")
            .withPort(7800)
            .withPortRange(5)
            .withDiscovery("dns:cohort.default.svc")
            .withHeartbeat(Duration.ofMillis(200))
            .withDropTime(Duration.ofSeconds(2))
            .withSecret("0123456789abcdef")
            .withMaxFrameBytes(1 << 20);
    assertThat(c)
        .isEqualTo(
            new JGroupsConfig(
                "c",
                "n2",
                "10.0.0.1",
                7800,
                5,
                "dns:cohort.default.svc",
                Duration.ofMillis(200),
                Duration.ofSeconds(2),
                "0123456789abcdef",
                1 << 20,
                false));
  }

  @Test
  void nonLoopbackBindWithoutSecret_isRefusedNamingTheSecret() {
    assertThatThrownBy(() -> base.withBindAddress("0.0.0.0").requireSecretBeyondLoopback())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("secret: required when the cluster port binds 0.0.0.0")
        .hasMessageContaining("insecure=true");
    assertThatThrownBy(() -> new JGroupsChannel(base.withBindAddress("0.0.0.0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("secret: required");
  }

  @Test
  void nonLoopbackBind_isAccepted_withASecretOrTheInsecureOptOut() {
    base.withBindAddress("0.0.0.0").withSecret("0123456789abcdef").requireSecretBeyondLoopback();
    base.withBindAddress("0.0.0.0").withInsecure(true).requireSecretBeyondLoopback();
    base.withBindAddress("127.0.0.1").requireSecretBeyondLoopback();
    assertThat(base.withInsecure(true).toString()).contains("INSECURE");
  }

  @Test
  void shortSecret_isRefusedNamingTheOption() {
    assertThatThrownBy(() -> base.withSecret("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("secret: must be at least 16 bytes (got 5)");
  }

  @Test
  void toString_neverShowsTheSecret() {
    assertThat(base.withSecret("0123456789abcdef-very-secret").toString())
        .doesNotContain("very-secret")
        .contains("secret=(set)");
  }

  @Test
  void badDiscovery_isRefusedNamingTheOption() {
    assertThatThrownBy(() -> base.withDiscovery("foo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "discovery: 'foo' is not multicast[:addr:port], static:host:port,... or dns:name");
    assertThatThrownBy(() -> base.withDiscovery("multicast:10.0.0.1:45564"))
        .hasMessageStartingWith("discovery:")
        .hasMessageContaining("not an IPv4 multicast address");
    assertThatThrownBy(() -> base.withDiscovery("static:host"))
        .hasMessageStartingWith("discovery:");
    assertThatThrownBy(() -> base.withDiscovery("static:h:99999"))
        .hasMessageStartingWith("discovery:");
    assertThatThrownBy(() -> base.withDiscovery("dns:")).hasMessageStartingWith("discovery:");
  }

  @Test
  void goodDiscoveries_parse() {
    assertThat(JGroupsConfig.Discovery.parse("multicast"))
        .isEqualTo(new JGroupsConfig.Discovery.Multicast("228.0.0.4", 45564));
    assertThat(JGroupsConfig.Discovery.parse("multicast:239.1.2.3:5000"))
        .isEqualTo(new JGroupsConfig.Discovery.Multicast("239.1.2.3", 5000));
    assertThat(JGroupsConfig.Discovery.parse("static:a:1, b:2"))
        .isEqualTo(
            new JGroupsConfig.Discovery.Static(
                java.util.List.of(
                    new JGroupsConfig.Discovery.HostPort("a", 1),
                    new JGroupsConfig.Discovery.HostPort("b", 2))));
    assertThat(JGroupsConfig.Discovery.parse("dns:cohort.ns.svc.cluster.local"))
        .isEqualTo(new JGroupsConfig.Discovery.Dns("cohort.ns.svc.cluster.local"));
  }

  @Test
  void requiredTexts_andRanges_areCheckedNamingTheOption() {
    assertThatThrownBy(() -> base.withBindAddress(null)).hasMessage("bindAddress: required");
    assertThatThrownBy(() -> base.withBindAddress(" ")).hasMessage("bindAddress: required");
    assertThatThrownBy(() -> base.withNodeName("")).hasMessage("nodeName: required");
    assertThatThrownBy(() -> base.withClusterName(null)).hasMessage("clusterName: required");
    assertThatThrownBy(() -> base.withPort(70000)).hasMessageStartingWith("port:");
    assertThatThrownBy(() -> base.withPortRange(-1)).hasMessageStartingWith("portRange:");
    assertThatThrownBy(() -> base.withHeartbeat(Duration.ZERO))
        .hasMessageStartingWith("heartbeat:");
    assertThatThrownBy(() -> base.withDropTime(Duration.ofMillis(600)))
        .hasMessageStartingWith("dropTime:");
    assertThatThrownBy(() -> base.withMaxFrameBytes(10)).hasMessageStartingWith("maxFrameBytes:");
  }
}
