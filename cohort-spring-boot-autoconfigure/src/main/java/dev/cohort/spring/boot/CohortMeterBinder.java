package dev.cohort.spring.boot;

import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.CohortCluster;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToLongFunction;

/**
 * Cohort's figures in the application's Micrometer registry, with the same names as {@code
 * /cohort/metrics} ({@code cohort.sessions.owned}, {@code cohort.deltas.sent}, ...), each the sum
 * over the node's engines and tagged {@code node}. Meters read the engines when the registry reads
 * them; before the embedded Tomcat starts they read 0. Counts and sizes only.
 */
public final class CohortMeterBinder implements MeterBinder {
  private final CohortCluster cluster;
  private final Tags tags;

  public CohortMeterBinder(CohortCluster cluster, String nodeName) {
    this.cluster = cluster;
    this.tags = Tags.of("node", nodeName == null ? "" : nodeName);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("cohort.ready", this, b -> b.ready() ? 1 : 0)
        .description("1 when every engine of the node is ready")
        .tags(tags)
        .register(registry);
    Gauge.builder("cohort.members", this, CohortMeterBinder::members)
        .description("members in the current view")
        .tags(tags)
        .register(registry);
    gauge(registry, "cohort.sessions.owned", "sessions this node owns", EngineStats::ownedSessions);
    gauge(
        registry,
        "cohort.sessions.replicated",
        "replicas this node holds for other owners",
        EngineStats::replicaSessions);
    gauge(
        registry,
        "cohort.sessions.unprotected",
        "owned sessions with fewer than k live replica holders",
        EngineStats::unprotectedSessions);
    Gauge.builder("cohort.held", this, b -> b.sum(EngineStats::heldBytes))
        .description("bytes of attribute values held, owned and replica")
        .baseUnit("bytes")
        .tags(tags)
        .register(registry);
    counter(
        registry, "cohort.deltas.sent", "deltas sent to replica holders", EngineStats::deltasSent);
    counter(
        registry,
        "cohort.deltas.applied",
        "deltas applied to replicas",
        EngineStats::deltasApplied);
    counter(registry, "cohort.replication.sent.bytes", "bytes sent", EngineStats::bytesSent);
    counter(
        registry,
        "cohort.replication.received.bytes",
        "bytes received",
        EngineStats::bytesReceived);
    counter(registry, "cohort.gaps", "deltas whose base version did not match", EngineStats::gaps);
    counter(
        registry, "cohort.conflicts", "stale deltas or records ignored", EngineStats::conflicts);
    counter(registry, "cohort.takeovers", "ownership take-overs", EngineStats::takeovers);
    counter(registry, "cohort.expired", "sessions expired", EngineStats::expired);
    counter(
        registry, "cohort.sync.timeouts", "sync commits that timed out", EngineStats::syncTimeouts);
    counter(
        registry,
        "cohort.malformed.frames",
        "cluster frames dropped",
        EngineStats::malformedFrames);
    counter(
        registry,
        "cohort.deserialization.refusals",
        "attribute values refused by the deserializer (class not allowed, or too costly to read)",
        EngineStats::deserializationRefusals);
    counter(
        registry,
        "cohort.claims.sent",
        "take-over claims sent to other members",
        EngineStats::claimsSent);
    counter(
        registry,
        "cohort.lookups.refused",
        "look-ups of unknown sessions refused because too many ran at once (answered 503)",
        EngineStats::lookupsRefused);
    counter(
        registry,
        "cohort.store.lookups",
        "sessions looked up in the durable store",
        EngineStats::storeLookups);
    String dropped = "cluster frames the channel dropped before any handler saw them";
    dropped(registry, dropped, "malformed", s -> s.channelDrops().malformed());
    dropped(registry, dropped, "unauthenticated", s -> s.channelDrops().unauthenticated());
    dropped(registry, dropped, "replayed", s -> s.channelDrops().replayed());
    dropped(registry, dropped, "stale", s -> s.channelDrops().stale());
    counter(registry, "cohort.acks", "acknowledged-replication round trips", EngineStats::ackCount);
  }

  private void dropped(
      MeterRegistry registry, String help, String reason, ToLongFunction<EngineStats> figure) {
    FunctionCounter.builder("cohort.channel.dropped", this, b -> b.sum(figure))
        .description(help)
        .tags(tags.and("reason", reason))
        .register(registry);
  }

  private void gauge(
      MeterRegistry registry, String name, String help, ToLongFunction<EngineStats> figure) {
    Gauge.builder(name, this, b -> b.sum(figure)).description(help).tags(tags).register(registry);
  }

  private void counter(
      MeterRegistry registry, String name, String help, ToLongFunction<EngineStats> figure) {
    FunctionCounter.builder(name, this, b -> b.sum(figure))
        .description(help)
        .tags(tags)
        .register(registry);
  }

  private boolean ready() {
    boolean any = false;
    for (SessionEngine e : cluster.engines()) {
      if (!e.isReady()) {
        return false;
      }
      any = true;
    }
    return any;
  }

  private double members() {
    int max = 0;
    for (SessionEngine e : cluster.engines()) {
      View v = e.view();
      if (v != null) {
        max = Math.max(max, v.members().size());
      }
    }
    return max;
  }

  private double sum(ToLongFunction<EngineStats> figure) {
    long total = 0;
    for (SessionEngine e : cluster.engines()) {
      total += figure.applyAsLong(e.stats());
    }
    return total;
  }
}
