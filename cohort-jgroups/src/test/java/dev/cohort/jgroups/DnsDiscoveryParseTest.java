package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.jgroups.JGroupsConfig.Discovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code dns:name[@server[:port]]}: which DNS server DNS_PING asks. */
class DnsDiscoveryParseTest {

  @Test
  void dnsWithoutServer_usesTheSystemResolver() {
    assertThat(Discovery.parse("dns:shop.ns.svc.cluster.local"))
        .isEqualTo(new Discovery.Dns("shop.ns.svc.cluster.local", null));
  }

  @Test
  void dnsWithServerAndPort_namesBoth() {
    assertThat(Discovery.parse("dns:members.cohort.test@127.0.0.1:5353"))
        .isEqualTo(new Discovery.Dns("members.cohort.test", "127.0.0.1:5353"));
  }

  @Test
  void dnsWithServerOnly_keepsTheDefaultPort() {
    assertThat(Discovery.parse("dns:members.cohort.test@10.96.0.10"))
        .isEqualTo(new Discovery.Dns("members.cohort.test", "10.96.0.10"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "dns:members.test@",
        "dns:members.test@host:0",
        "dns:members.test@host:70000",
        "dns:members.test@host:53:53",
        "dns:members.test@a b",
        "dns:@127.0.0.1:53"
      })
  void badDnsSpec_isRefused_namingDiscovery(String spec) {
    assertThatThrownBy(() -> Discovery.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("discovery: '" + spec + "' needs a DNS");
  }
}
