package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

  @Test
  void nothingGiven_isTheDefault_getCohortHealthExpecting2xxAnd3xx() {
    HealthCheck c = HealthCheck.parse(null, null, null);

    assertThat(c).isEqualTo(HealthCheck.defaults());
    assertThat(c.type()).isEqualTo(HealthCheck.Type.HTTP);
    assertThat(c.path()).isEqualTo("/cohort/health");
    assertThat(c.statuses()).isEqualTo("200-399");
    assertThat(c).hasToString("http GET /cohort/health expect 200-399");
    assertThat(c.expects(200)).isTrue();
    assertThat(c.expects(302)).isTrue();
    assertThat(c.expects(399)).isTrue();
    assertThat(c.expects(199)).isFalse();
    assertThat(c.expects(404)).isFalse();
    assertThat(c.expects(503)).isFalse();
  }

  @Test
  void typeParsesEverySpelling() {
    assertThat(HealthCheck.parse("http", null, null)).isEqualTo(HealthCheck.defaults());
    assertThat(HealthCheck.parse(" TCP ", null, null)).isEqualTo(HealthCheck.tcp());
    assertThat(HealthCheck.parse("None", null, null)).isEqualTo(HealthCheck.none());
    assertThat(HealthCheck.tcp().type()).isEqualTo(HealthCheck.Type.TCP);
    assertThat(HealthCheck.tcp().path()).isNull();
    assertThat(HealthCheck.tcp().statuses()).isNull();
    assertThat(HealthCheck.tcp()).hasToString("tcp");
    assertThat(HealthCheck.none()).hasToString("none");
    assertThat(HealthCheck.none().expects(200)).isFalse();
  }

  @Test
  void pathAndStatusesOfTheHttpCheck() {
    HealthCheck c = HealthCheck.parse("http", "/manager/text/serverinfo?x=1&y=%20", "200");

    assertThat(c.path()).isEqualTo("/manager/text/serverinfo?x=1&y=%20");
    assertThat(c.statuses()).isEqualTo("200");
    assertThat(c.expects(200)).isTrue();
    assertThat(c.expects(204)).isFalse();
    assertThat(c.expects(301)).isFalse();
    // a path or status alone implies http
    assertThat(HealthCheck.parse(null, "/", null)).isEqualTo(HealthCheck.http("/", "200-399"));
    assertThat(HealthCheck.parse(null, null, "204"))
        .isEqualTo(HealthCheck.http("/cohort/health", "204"));
  }

  @Test
  void statusesTakeCodesRangesAndClasses_inCanonicalForm() {
    assertThat(HealthCheck.http("/", "2xx").statuses()).isEqualTo("200-299");
    assertThat(HealthCheck.http("/", "2XX, 3xx").statuses()).isEqualTo("200-399");
    assertThat(HealthCheck.http("/", "302,200 - 204,401").statuses()).isEqualTo("200-204,302,401");
    assertThat(HealthCheck.http("/", "200-299,250-399,404").statuses()).isEqualTo("200-399,404");
    assertThat(HealthCheck.http("/", "100-599").statuses()).isEqualTo("100-599");
    assertThat(HealthCheck.http("/cohort/health", "200-299,300-399"))
        .isEqualTo(HealthCheck.defaults());
    assertThat(HealthCheck.http("/", "200-299,300-399").hashCode())
        .isEqualTo(HealthCheck.http("/", "200-399").hashCode());

    HealthCheck c = HealthCheck.http("/", "204,3xx,418");
    assertThat(c.expects(204)).isTrue();
    assertThat(c.expects(200)).isFalse();
    assertThat(c.expects(300)).isTrue();
    assertThat(c.expects(399)).isTrue();
    assertThat(c.expects(418)).isTrue();
    assertThat(c.expects(417)).isFalse();
    assertThat(c.expects(1000)).isFalse();
  }

  @Test
  void badType_isRefused_namingHealthCheck() {
    for (String bad : List.of("", "https", "ping", "tcp,http")) {
      assertThatThrownBy(() -> HealthCheck.parse(bad, null, null))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("health-check: ")
          .hasMessageContaining("http")
          .hasMessageContaining("tcp")
          .hasMessageContaining("none");
    }
  }

  @Test
  void badPath_isRefused_namingHealthPath() {
    for (String bad :
        List.of(
            "",
            "cohort/health",
            "http://127.0.0.1/cohort/health",
            "/a b",
            "/a\tb",
            "/a\r\nX-Injected: 1",
            "/caf\u00e9",
            "/a#frag",
            "/" + "a".repeat(HealthCheck.MAX_PATH_LENGTH))) {
      assertThatThrownBy(() -> HealthCheck.parse("http", bad, null))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("health-path: ");
    }
  }

  @Test
  void badStatuses_areRefused_namingHealthStatus() {
    for (String bad :
        List.of(
            "", " ", "ok", "20", "2000", "200,", ",200", "200-", "99", "600", "099", "100-600",
            "399-200", "6xx", "0xx", "2x", "200;300")) {
      assertThatThrownBy(() -> HealthCheck.parse("http", null, bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("health-status: ");
    }
  }

  @Test
  void pathOrStatusGivenWithTcpOrNone_isRefused_notIgnored() {
    for (String type : List.of("tcp", "none")) {
      assertThatThrownBy(() -> HealthCheck.parse(type, "/", null))
          .as(type)
          .hasMessageStartingWith("health-path: given with health-check " + type);
      assertThatThrownBy(() -> HealthCheck.parse(type, null, "200"))
          .as(type)
          .hasMessageStartingWith("health-status: given with health-check " + type);
    }
  }

  @Test
  void configWithAnotherCheck_showsItInToString() {
    BalancerConfig c =
        BalancerConfig.defaults(List.of(Backend.parse("n1=http://127.0.0.1:8081")))
            .withHealthCheck(HealthCheck.http("/ping", "204"));

    assertThat(c.healthCheck().path()).isEqualTo("/ping");
    assertThat(c.toString()).contains("health=http GET /ping expect 204 every 1000ms");
  }
}
