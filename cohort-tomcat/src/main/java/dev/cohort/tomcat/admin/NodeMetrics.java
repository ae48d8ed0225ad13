package dev.cohort.tomcat.admin;

import dev.cohort.tomcat.admin.NodeFigures.EngineFigures;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The node's figures as Micrometer meters, scraped as Prometheus text. Every meter is the sum over
 * the node's engines (one per distributable context) and carries the tag {@code node}. A scrape
 * reads the engines once and every meter reads that one reading, so the figures of one scrape are
 * consistent with each other. One registry per valve: two nodes in one JVM never share meters.
 */
final class NodeMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Supplier<NodeFigures> reader;
  private volatile NodeFigures current;

  NodeMetrics(String node, Supplier<NodeFigures> reader, LongSupplier adminRefused) {
    this.reader = reader;
    this.current = new NodeFigures(node, false, List.of());
    Tags tags = Tags.of("node", node);
    gauge("cohort.ready", "1 when every engine of the node is ready", tags, n -> n.ready() ? 1 : 0);
    gauge("cohort.members", "members in the current view", tags, n -> n.members().size());
    gauge("cohort.view.id", "id of the current view", tags, NodeFigures::viewId);
    gauge(
        "cohort.engines",
        "distributable contexts running on the node",
        tags,
        n -> n.engines().size());
    gauge("cohort.sessions.owned", "sessions this node owns", tags, sum(EngineFigures::owned));
    gauge(
        "cohort.sessions.replicated",
        "replicas this node holds for other owners",
        tags,
        sum(EngineFigures::replicated));
    gauge(
        "cohort.sessions.unprotected",
        "owned sessions with fewer than k live replica holders",
        tags,
        sum(EngineFigures::unprotected));
    Gauge.builder("cohort.held", this, m -> m.current.sum(EngineFigures::heldBytes))
        .description("bytes of attribute values held, owned and replica")
        .baseUnit("bytes")
        .tags(tags)
        .register(registry);
    Gauge.builder("cohort.ack.latency.avg", this, m -> m.current.ackAvgMicros() / 1e6)
        .description("mean acknowledged-replication round trip since start")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    Gauge.builder(
            "cohort.ack.latency.max", this, m -> m.current.max(EngineFigures::ackNanosMax) / 1e9)
        .description("highest acknowledged-replication round trip since start")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    gauge(
        "cohort.transfer.received",
        "sessions received by state transfer",
        tags,
        sum(EngineFigures::transferReceived));
    gauge(
        "cohort.transfer.expected",
        "sessions expected by state transfer (0 when unknown)",
        tags,
        sum(EngineFigures::transferExpected));
    counter(
        "cohort.deltas.sent", "deltas sent to replica holders", tags, EngineFigures::deltasSent);
    counter(
        "cohort.deltas.applied", "deltas applied to replicas", tags, EngineFigures::deltasApplied);
    counter("cohort.replication.sent.bytes", "bytes sent", tags, EngineFigures::bytesSent);
    counter(
        "cohort.replication.received.bytes", "bytes received", tags, EngineFigures::bytesReceived);
    counter("cohort.gaps", "deltas whose base version did not match", tags, EngineFigures::gaps);
    counter("cohort.conflicts", "stale deltas or records ignored", tags, EngineFigures::conflicts);
    counter("cohort.takeovers", "ownership take-overs", tags, EngineFigures::takeovers);
    counter("cohort.expired", "sessions expired", tags, EngineFigures::expired);
    counter(
        "cohort.sync.timeouts", "sync commits that timed out", tags, EngineFigures::syncTimeouts);
    counter(
        "cohort.malformed.frames", "cluster frames dropped", tags, EngineFigures::malformedFrames);
    counter(
        "cohort.deserialization.refusals",
        "attribute values refused by the deserializer (class not allowed, or too costly to read)",
        tags,
        EngineFigures::deserializationRefusals);
    counter(
        "cohort.claims.sent",
        "take-over claims sent to other members",
        tags,
        EngineFigures::claimsSent);
    counter(
        "cohort.lookups.refused",
        "look-ups of unknown sessions refused because too many ran at once (answered 503)",
        tags,
        EngineFigures::lookupsRefused);
    counter(
        "cohort.store.lookups",
        "sessions looked up in the durable store",
        tags,
        EngineFigures::storeLookups);
    String dropped = "cluster frames the channel dropped before any handler saw them";
    counter(
        "cohort.channel.dropped",
        dropped,
        tags.and("reason", "malformed"),
        e -> e.channelDrops().malformed());
    counter(
        "cohort.channel.dropped",
        dropped,
        tags.and("reason", "unauthenticated"),
        e -> e.channelDrops().unauthenticated());
    counter(
        "cohort.channel.dropped",
        dropped,
        tags.and("reason", "replayed"),
        e -> e.channelDrops().replayed());
    counter(
        "cohort.channel.dropped",
        dropped,
        tags.and("reason", "stale"),
        e -> e.channelDrops().stale());
    counter("cohort.acks", "acknowledged-replication round trips", tags, EngineFigures::ackCount);
    FunctionCounter.builder("cohort.admin.refused", adminRefused, LongSupplier::getAsLong)
        .description(
            "admin requests refused: unsigned outside the admin connector, or a bad signature")
        .tags(tags)
        .register(registry);
    gauge(
        "cohort.store.up",
        "0 during a session store outage, else 1 (also without a store)",
        tags,
        n -> n.storeUp() ? 1 : 0);
    gauge(
        "cohort.store.queued",
        "sessions with writes not yet in the store",
        tags,
        sum(EngineFigures::storeQueued));
    counter(
        "cohort.store.dropped",
        "session writes dropped because the store queue was full",
        tags,
        EngineFigures::storeDropped);
    counter(
        "cohort.store.failures",
        "failed store calls (each retried)",
        tags,
        EngineFigures::storeFailures);
    counter(
        "cohort.store.written",
        "session writes the store accepted",
        tags,
        EngineFigures::storeWritten);
  }

  /** Reads the engines once and renders every meter in the Prometheus text format. */
  String scrape() {
    current = reader.get();
    return registry.scrape();
  }

  void close() {
    registry.close();
  }

  private static ToDoubleFunction<NodeFigures> sum(ToLongFunction<EngineFigures> figure) {
    return n -> n.sum(figure);
  }

  private void gauge(String name, String help, Tags tags, ToDoubleFunction<NodeFigures> value) {
    Gauge.builder(name, this, m -> value.applyAsDouble(m.current))
        .description(help)
        .tags(tags)
        .register(registry);
  }

  private void counter(String name, String help, Tags tags, ToLongFunction<EngineFigures> figure) {
    FunctionCounter.builder(name, this, m -> m.current.sum(figure))
        .description(help)
        .tags(tags)
        .register(registry);
  }
}
