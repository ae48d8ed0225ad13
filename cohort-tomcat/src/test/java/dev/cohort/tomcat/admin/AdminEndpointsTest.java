package dev.cohort.tomcat.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.channel.DroppedFrames;
import dev.cohort.core.engine.SessionEngine;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AdminEndpointsTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final FakeEngine engine = new FakeEngine(3, "n1", "n2", "n3");
  private final List<SessionEngine> engines = new CopyOnWriteArrayList<>(List.of(engine));
  private final AdminEndpoints endpoints = new AdminEndpoints(() -> engines, "n1", clock);

  @Test
  void healthIs200_whenEveryEngineIsReady() {
    assertThat(endpoints.answer("/cohort/health").status()).isEqualTo(200);
  }

  @Test
  void healthIs503_whenOneEngineIsNotReady() {
    FakeEngine joining = new FakeEngine(3, "n1", "n2", "n3");
    joining.ready = false;
    engines.add(joining);

    AdminEndpoints.Reply reply = endpoints.answer("/cohort/health");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body()).contains("not ready");
  }

  @Test
  void statusJsonCarriesViewAndFigures() {
    engine.owned = 7;
    engine.replicas = 5;
    engine.unprotected = 1;
    engine.heldBytes = 4096;
    engine.ackCount = 4;
    engine.ackNanosTotal = 4_000_000;
    engine.ackNanosMax = 2_500_000;
    engine.transferReceived = 10;
    engine.transferExpected = 20;

    AdminEndpoints.Reply reply = endpoints.answer("/cohort/status");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).startsWith("application/json");
    assertThat(reply.body())
        .startsWith(
            "{\"node\":\"n1\",\"ready\":true,\"viewId\":3,\"members\":[\"n1\",\"n2\",\"n3\"]")
        .contains("\"sessionsOwned\":7")
        .contains("\"sessionsReplicated\":5")
        .contains("\"sessionsUnprotected\":1")
        .contains("\"heldBytes\":4096")
        .contains("\"ackLatencyAvgMicros\":1000")
        .contains("\"ackLatencyMaxMicros\":2500")
        .contains("\"transfer\":{\"received\":10,\"expected\":20}");
  }

  @Test
  void statusSumsOverEngines_andListsEachEngine() {
    engine.owned = 2;
    FakeEngine other = new FakeEngine(3, "n1", "n2", "n3");
    other.owned = 3;
    engines.add(other);

    String body = endpoints.answer("/cohort/status").body();

    assertThat(body).contains("\"totals\":{\"sessionsOwned\":5").contains("\"engine\":1");
  }

  @Test
  void metricsArePrometheusText_withTheNodeTag() {
    engine.owned = 7;
    engine.deltasSent = 42;
    engine.deserializationRefusals = 3;
    engine.channelDrops = new DroppedFrames(1, 2, 3, 4);
    engine.lookupsRefused = 5;
    endpoints.refused();

    AdminEndpoints.Reply reply = endpoints.answer("/cohort/metrics");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .contains("cohort_sessions_owned{node=\"n1\"} 7.0")
        .contains("cohort_deltas_sent_total{node=\"n1\"} 42.0")
        .contains("cohort_deserialization_refusals_total{node=\"n1\"} 3.0")
        .contains("cohort_channel_dropped_total{node=\"n1\",reason=\"unauthenticated\"} 2.0")
        .contains("cohort_channel_dropped_total{node=\"n1\",reason=\"stale\"} 4.0")
        .contains("cohort_lookups_refused_total{node=\"n1\"} 5.0")
        .contains("cohort_admin_refused_total{node=\"n1\"} 1.0")
        .contains("cohort_ready{node=\"n1\"} 1.0")
        .contains("cohort_members{node=\"n1\"} 3.0");
  }

  @Test
  void pageShowsFiguresAndMembershipChanges() {
    endpoints.answer("/cohort/status");
    engine.view(4, "n1", "n3");

    AdminEndpoints.Reply reply = endpoints.answer("/cohort/");

    assertThat(reply.contentType()).startsWith("text/html");
    assertThat(reply.body())
        .contains("Cohort node <span id=\"node\">n1</span>")
        .contains("left n2; 2 members")
        .contains("first view: n1, n2, n3");
  }

  @Test
  void bareprefixRedirectsToThePage_andUnknownPathsAre404() {
    assertThat(endpoints.answer("/cohort").location()).isEqualTo("/cohort/");
    assertThat(endpoints.answer("/cohort/nope").status()).isEqualTo(404);
  }

  @Test
  void noEnginesMeansReadyAndAnEmptyList() {
    Collection<SessionEngine> none = List.of();
    AdminEndpoints empty = new AdminEndpoints(() -> none, "n9", clock);

    assertThat(empty.answer("/cohort/status").body()).contains("\"engines\":[]");
    assertThat(empty.answer("/cohort/").body()).contains("No distributable context");
  }

  @Test
  void emptyNodeNameIsRefused_namingTheOption() {
    assertThatThrownBy(() -> new AdminEndpoints(List::of, " ", clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("nodeName");
  }

  @Test
  void namesAreEscaped_inJsonAndHtml() {
    engine.view(5, "a\"b", "<x>");

    assertThat(endpoints.answer("/cohort/status").body()).contains("\"a\\\"b\"");
    assertThat(endpoints.answer("/cohort/").body()).contains("&lt;x&gt;").doesNotContain("<x>");
  }
}
