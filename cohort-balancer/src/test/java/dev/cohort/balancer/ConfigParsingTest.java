package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigParsingTest {
  private static final List<Backend> ONE = List.of(Backend.parse("n1=http://127.0.0.1:8081"));

  @Test
  void backendParsesRouteUriAndWeight() {
    assertThat(Backend.parse("n1=http://127.0.0.1:8081"))
        .isEqualTo(new Backend("n1", URI.create("http://127.0.0.1:8081"), 1));
    assertThat(Backend.parse(" n2=http://localhost:9000;weight=3 "))
        .isEqualTo(new Backend("n2", URI.create("http://localhost:9000"), 3));
    assertThat(Backend.parse("n3=http://example.test").port()).isEqualTo(80);
  }

  @Test
  void badBackendSpecsAreRefused_withAMessageStartingWithBackend() {
    for (String bad :
        List.of(
            "",
            "n1",
            "=http://127.0.0.1:1",
            "n1=",
            "n1=https://127.0.0.1:1",
            "n1=127.0.0.1:8081",
            "n 1=http://127.0.0.1:1",
            "n1=http://127.0.0.1:1;weight=0",
            "n1=http://127.0.0.1:1;weight=x",
            "n1=http://127.0.0.1:1;color=red",
            "n1=http://[bad")) {
      assertThatThrownBy(() -> Backend.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("backend: ");
    }
  }

  @Test
  void policyParsesEveryOptionSpelling() {
    assertThat(Policy.parse("round-robin")).isEqualTo(Policy.ROUND_ROBIN);
    assertThat(Policy.parse("RANDOM")).isEqualTo(Policy.RANDOM);
    assertThat(Policy.parse("weighted")).isEqualTo(Policy.WEIGHTED);
    assertThat(Policy.parse("least_connections")).isEqualTo(Policy.LEAST_CONNECTIONS);
    assertThatThrownBy(() -> Policy.parse("fastest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("policy: ");
    assertThatThrownBy(() -> Policy.parse(null)).hasMessageStartingWith("policy: ");
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    BalancerConfig c = BalancerConfig.defaults(ONE);
    assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.policy()).isEqualTo(Policy.ROUND_ROBIN);
    assertThat(c.healthInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.healthCheck()).isEqualTo(HealthCheck.http("/cohort/health", "200-399"));
    assertThat(c.healthCheck().type()).isEqualTo(HealthCheck.Type.HTTP);
    assertThat(c.healthCheck().path()).isEqualTo("/cohort/health");
    assertThat(c.healthCheck().statuses()).isEqualTo("200-399");
    assertThat(c.rise()).isEqualTo(2);
    assertThat(c.fall()).isEqualTo(2);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.responseTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxHeaderBytes()).isEqualTo(16 * 1024);
    assertThat(c.maxConnections()).isEqualTo(10_000);
    assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.maxConnectionsPerIp()).isEqualTo(256);
    assertThat(c.trustedProxies()).isEmpty();
    assertThat(c.forwardAdminPaths()).isFalse();
    assertThat(c.adminBindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.adminPort()).isEqualTo(8079);
    assertThat(c.statusOnPublicPort()).isFalse();
  }

  @Test
  void withMethodsChangeOneOptionEach() {
    BalancerConfig c =
        BalancerConfig.defaults(ONE)
            .withBindAddress("0.0.0.0")
            .withPort(0)
            .withPolicy(Policy.WEIGHTED)
            .withHealthInterval(Duration.ofMillis(250))
            .withHealthCheck(HealthCheck.tcp())
            .withRise(3)
            .withFall(4)
            .withConnectTimeout(Duration.ofMillis(300))
            .withResponseTimeout(Duration.ofSeconds(5))
            .withMaxHeaderBytes(8192)
            .withMaxConnections(10)
            .withHeaderTimeout(Duration.ofSeconds(2))
            .withBodyTimeout(Duration.ofSeconds(3))
            .withKeepAliveTimeout(Duration.ofSeconds(4))
            .withMaxConnectionsPerIp(5)
            .withTrustedProxies(List.of("10.0.0.0/8"))
            .withForwardAdminPaths(true)
            .withAdminBindAddress("0.0.0.0")
            .withAdminPort(9000)
            .withStatusOnPublicPort(true);
    assertThat(c)
        .isEqualTo(
            new BalancerConfig(
                "0.0.0.0",
                0,
                ONE,
                Policy.WEIGHTED,
                Duration.ofMillis(250),
                HealthCheck.tcp(),
                3,
                4,
                Duration.ofMillis(300),
                Duration.ofSeconds(5),
                8192,
                10,
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                Duration.ofSeconds(4),
                5,
                List.of("10.0.0.0/8"),
                true,
                "0.0.0.0",
                9000,
                true));
  }

  @Test
  void badOptionsAreRefused_namingTheOption() {
    BalancerConfig d = BalancerConfig.defaults(ONE);
    assertThatThrownBy(() -> d.withPort(70000)).hasMessageStartingWith("port: ");
    assertThatThrownBy(() -> d.withBindAddress(" ")).hasMessageStartingWith("bind: ");
    assertThatThrownBy(() -> d.withBackends(List.of())).hasMessageStartingWith("backend: ");
    assertThatThrownBy(() -> d.withBackends(List.of(ONE.get(0), ONE.get(0))))
        .hasMessageStartingWith("backend: route n1 is given twice");
    assertThatThrownBy(() -> d.withPolicy(null)).hasMessageStartingWith("policy: ");
    assertThatThrownBy(() -> d.withHealthInterval(Duration.ZERO))
        .hasMessageStartingWith("health-interval: ");
    assertThatThrownBy(() -> d.withHealthCheck(null)).hasMessageStartingWith("health-check: ");
    assertThatThrownBy(() -> d.withRise(0)).hasMessageStartingWith("rise: ");
    assertThatThrownBy(() -> d.withFall(0)).hasMessageStartingWith("fall: ");
    assertThatThrownBy(() -> d.withConnectTimeout(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("connect-timeout: ");
    assertThatThrownBy(() -> d.withResponseTimeout(null))
        .hasMessageStartingWith("response-timeout: ");
    assertThatThrownBy(() -> d.withMaxHeaderBytes(100))
        .hasMessageStartingWith("max-header-bytes: ");
    assertThatThrownBy(() -> d.withMaxConnections(0)).hasMessageStartingWith("max-connections: ");
    assertThatThrownBy(() -> d.withHeaderTimeout(Duration.ZERO))
        .hasMessageStartingWith("header-timeout: ");
    assertThatThrownBy(() -> d.withBodyTimeout(null)).hasMessageStartingWith("body-timeout: ");
    assertThatThrownBy(() -> d.withKeepAliveTimeout(Duration.ofMillis(-5)))
        .hasMessageStartingWith("keep-alive-timeout: ");
    assertThatThrownBy(() -> d.withMaxConnectionsPerIp(0))
        .hasMessageStartingWith("max-connections-per-ip: ");
    for (String bad :
        List.of("", "10.0.0.0/33", "proxy.example", "10.0.0/8", "10.0.0.1/x", "::1/129")) {
      assertThatThrownBy(() -> d.withTrustedProxies(List.of(bad)))
          .as(bad)
          .hasMessageStartingWith("trusted-proxy: ");
    }
    assertThatThrownBy(() -> d.withAdminBindAddress("")).hasMessageStartingWith("admin-bind: ");
    assertThatThrownBy(() -> d.withAdminPort(-2)).hasMessageStartingWith("admin-port: ");
    assertThatThrownBy(() -> d.withPort(9000).withAdminPort(9000))
        .hasMessageStartingWith("admin-port: 9000 is also the public port");
  }

  @Test
  void trustedProxiesMatchAddressesAndBlocks() throws Exception {
    TrustedProxies t = TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.7", "2001:db8::/32"));
    assertThat(t.contains(java.net.InetAddress.getByName("10.200.3.4"))).isTrue();
    assertThat(t.contains(java.net.InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(t.contains(java.net.InetAddress.getByName("192.0.2.7"))).isTrue();
    assertThat(t.contains(java.net.InetAddress.getByName("192.0.2.8"))).isFalse();
    assertThat(t.contains(java.net.InetAddress.getByName("2001:db8:1::5"))).isTrue();
    assertThat(t.contains(java.net.InetAddress.getByName("2001:db9::5"))).isFalse();
    assertThat(
            TrustedProxies.parse(List.of("127.0.0.1/31"))
                .contains(java.net.InetAddress.getByName("127.0.0.0")))
        .isTrue();
    assertThat(TrustedProxies.parse(List.of()).contains(java.net.InetAddress.getByName("10.0.0.1")))
        .isFalse();
  }

  @Test
  void drainOfAnUnknownRouteIsRefused() {
    try (Balancer b = new Balancer(BalancerConfig.defaults(ONE))) {
      assertThatThrownBy(() -> b.drain("n9", true)).hasMessageStartingWith("drain: unknown route");
      assertThatThrownBy(b::port).isInstanceOf(IllegalStateException.class);
    }
  }
}
