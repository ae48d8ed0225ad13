package dev.cohort.tomcat.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdminAuthTest {
  private static final String SECRET = "admin-auth-test-secret-0123";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));
  private final AdminAuth node = AdminAuth.of(SECRET, clock);
  private final AdminAuth client = AdminAuth.of(SECRET, clock);

  private String verify(String method, String uri, Map<String, String> h, boolean body) {
    return node.verify(method, uri, h::get, body);
  }

  @Test
  void aSignedRequest_verifiesOnce() {
    Map<String, String> h = client.sign("DELETE", "/cohort/farm/shop", null);
    assertThat(AdminAuth.isSigned(h::get)).isTrue();
    assertThat(verify("DELETE", "/cohort/farm/shop", h, false)).isNull();
    assertThat(verify("DELETE", "/cohort/farm/shop", h, false)).startsWith("replayed");
  }

  @Test
  void anyChangeToMethodUriOrDigest_breaksTheSignature() {
    String sha = "ab".repeat(32);
    Map<String, String> h = client.sign("PUT", "/cohort/farm/shop", sha);
    assertThat(verify("DELETE", "/cohort/farm/shop", h, true)).startsWith("bad signature");
    assertThat(verify("PUT", "/cohort/farm/evil", h, true)).startsWith("bad signature");
    Map<String, String> otherBody = new HashMap<>(h);
    otherBody.put(AdminAuth.SHA256, "cd".repeat(32));
    assertThat(verify("PUT", "/cohort/farm/shop", otherBody, true)).startsWith("bad signature");
    assertThat(verify("PUT", "/cohort/farm/shop", h, true)).isNull();
  }

  @Test
  void aBodyWithoutADigest_isRefused() {
    Map<String, String> h = client.sign("PUT", "/cohort/farm/shop", null);
    assertThat(verify("PUT", "/cohort/farm/shop", h, true)).contains(AdminAuth.SHA256);
  }

  @Test
  void datesOutsideTheWindow_areRefused_bothWays() {
    Map<String, String> old = client.sign("GET", "/cohort/status", null);
    clock.advance(AdminAuth.WINDOW.plusSeconds(2));
    assertThat(verify("GET", "/cohort/status", old, false)).startsWith("stale signature");

    clock.advance(AdminAuth.WINDOW.multipliedBy(-3));
    Map<String, String> future = client.sign("GET", "/cohort/status", null);
    clock.advance(AdminAuth.WINDOW.multipliedBy(2).plusSeconds(2));
    assertThat(verify("GET", "/cohort/status", future, false)).startsWith("stale signature");
  }

  @Test
  void anotherSecret_doesNotVerify_andMissingHeadersAreNamed() {
    Map<String, String> h =
        AdminAuth.of("another-secret-0123456789", clock).sign("GET", "/cohort/status", null);
    assertThat(verify("GET", "/cohort/status", h, false)).startsWith("bad signature");
    assertThat(verify("GET", "/cohort/status", Map.of(AdminAuth.DATE, "1"), false))
        .startsWith("unsigned");
    assertThat(AdminAuth.isSigned(Map.<String, String>of()::get)).isFalse();
  }

  @Test
  void aMalformedNonce_isRefused() {
    Map<String, String> h = new HashMap<>(client.sign("GET", "/cohort/status", null));
    h.put(AdminAuth.NONCE, "../../x");
    assertThat(verify("GET", "/cohort/status", h, false)).startsWith("bad " + AdminAuth.NONCE);
  }

  @Test
  void aShortOrMissingSecret_isRefusedNamingTheSetting() {
    assertThatThrownBy(() -> AdminAuth.of("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("secret:");
    assertThatThrownBy(() -> AdminAuth.of(null)).hasMessageStartingWith("secret:");
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
