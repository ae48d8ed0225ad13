package dev.cohort.tomcat.admin;

import dev.cohort.core.engine.SessionEngine;
import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What each {@code /cohort/*} path answers, independent of Catalina (so it is tested without a
 * server). Health is the only endpoint that may be answered on every port; the others may be
 * confined to the admin port by the valve.
 */
final class AdminEndpoints {
  static final String PREFIX = "/cohort";
  static final String HEALTH = PREFIX + "/health";

  /** One answer: status, content type, body, and a Location for redirects (else null). */
  record Reply(int status, String contentType, String body, String location) {
    static Reply of(int status, String contentType, String body) {
      return new Reply(status, contentType, body, null);
    }
  }

  static final String JSON = "application/json;charset=UTF-8";
  static final String HTML = "text/html;charset=UTF-8";
  static final String TEXT = "text/plain;charset=UTF-8";
  static final String PROMETHEUS = "text/plain;version=0.0.4;charset=UTF-8";
  static final String METRICS_MISSING =
      "metrics: not available — /cohort/metrics needs Micrometer's Prometheus registry on the"
          + " class path: add the dependency io.micrometer:micrometer-registry-prometheus\n";

  private final String node;
  private final Supplier<Collection<SessionEngine>> engines;
  private final MembershipLog membership;
  private final NodeMetrics metrics;
  private final NodeMBean mbean;
  private final AtomicLong refused = new AtomicLong();

  AdminEndpoints(Supplier<Collection<SessionEngine>> engines, String node, Clock clock) {
    if (node == null || node.isBlank()) {
      throw new IllegalArgumentException(
          "nodeName: empty — set the Engine's jvmRoute (the node name) before the admin valve");
    }
    this.node = node;
    this.engines = engines;
    this.membership = new MembershipLog(clock);
    this.metrics = metricsAvailable() ? new NodeMetrics(node, this::read, refused::get) : null;
    this.mbean = new NodeMBean(node, this::read);
  }

  /** Counts one admin request refused for a missing or bad signature. */
  void refused() {
    refused.incrementAndGet();
  }

  long refusedCount() {
    return refused.get();
  }

  static boolean isAdminPath(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  /** Reads every engine once; also feeds the membership log. */
  NodeFigures read() {
    Collection<SessionEngine> all = engines.get();
    NodeFigures figures =
        NodeFigures.read(node, all == null ? java.util.List.<SessionEngine>of() : all);
    membership.observe(figures);
    return figures;
  }

  Reply answer(String path) {
    return switch (path) {
      case PREFIX -> new Reply(302, TEXT, "see /cohort/\n", PREFIX + "/");
      case PREFIX + "/", PREFIX + "/index.html" -> {
        NodeFigures f = read();
        yield Reply.of(200, HTML, StatusPage.render(f, membership.recent()));
      }
      case HEALTH -> {
        NodeFigures f = read();
        yield f.ready()
            ? Reply.of(200, TEXT, "ready\n")
            : Reply.of(503, TEXT, "not ready: state transfer or start in progress\n");
      }
      case PREFIX + "/status" ->
          Reply.of(200, JSON, StatusJson.render(read(), membership.recent()));
      case PREFIX + "/metrics" ->
          metrics != null
              ? Reply.of(200, PROMETHEUS, metrics.scrape())
              : Reply.of(501, TEXT, METRICS_MISSING);
      default -> Reply.of(404, TEXT, "not found: " + PREFIX + "/ has health, status, metrics\n");
    };
  }

  MembershipLog membership() {
    return membership;
  }

  NodeMBean mbean() {
    return mbean;
  }

  /** The node's meters, or null without Micrometer's Prometheus registry on the class path. */
  NodeMetrics metrics() {
    return metrics;
  }

  /**
   * Micrometer and its Prometheus registry are optional dependencies of cohort-tomcat (the {@code
   * -all} jar and the cohort command bundle them; a Spring Boot application has its own choice of
   * registries): without them every endpoint but metrics answers. Checked by name, so that {@link
   * NodeMetrics} is never loaded without them.
   */
  static boolean metricsAvailable() {
    ClassLoader loader = AdminEndpoints.class.getClassLoader();
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader);
      Class.forName("io.micrometer.prometheusmetrics.PrometheusMeterRegistry", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
