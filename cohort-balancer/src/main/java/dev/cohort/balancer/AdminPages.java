package dev.cohort.balancer;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code /balancer/status} (JSON with {@code Accept: application/json} or {@code ?format=json},
 * otherwise an HTML page) and {@code /balancer/metrics} (Prometheus text format 0.0.4). Figures
 * only: no session id, cookie or header value is ever shown.
 */
final class AdminPages {
  private final ProxyContext proxy;

  AdminPages(ProxyContext proxy) {
    this.proxy = proxy;
  }

  FullHttpResponse handle(HttpRequest req) {
    if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
      FullHttpResponse res =
          FrontendHandler.error(
              HttpResponseStatus.METHOD_NOT_ALLOWED, "the balancer pages answer GET only");
      res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      return res;
    }
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    String path = q.path();
    if (path.equals("/balancer/metrics")) {
      return ok("text/plain; version=0.0.4; charset=utf-8", metrics());
    }
    if (path.equals("/balancer/status") || path.equals("/balancer/") || path.equals("/balancer")) {
      List<String> format = q.parameters().get("format");
      String accept = req.headers().get(HttpHeaderNames.ACCEPT, "");
      boolean json = format != null ? format.contains("json") : accept.contains("application/json");
      return json ? ok("application/json", json()) : ok("text/html; charset=utf-8", html());
    }
    return FrontendHandler.error(
        HttpResponseStatus.NOT_FOUND,
        "no such balancer page — use /balancer/status or /balancer/metrics");
  }

  private static FullHttpResponse ok(String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(bytes),
            false,
            false);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, type)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return res;
  }

  String json() {
    Stats s = proxy.stats;
    StringBuilder b = new StringBuilder(512);
    b.append("{\"policy\":\"").append(proxy.config.policy().option()).append('"');
    b.append(",\"healthCheck\":\"")
        .append(jsonEscape(proxy.config.healthCheck().toString()))
        .append('"');
    b.append(",\"connections\":").append(s.connections.get());
    b.append(",\"requests\":").append(s.requests.sum());
    b.append(",\"retries\":").append(s.retries.sum());
    b.append(",\"failures\":").append(s.failures());
    b.append(",\"badGateway\":").append(s.badGateway.sum());
    b.append(",\"noBackend\":").append(s.noBackend.sum());
    b.append(",\"timeouts\":").append(s.timeouts.sum());
    b.append(",\"badRequests\":").append(s.badRequests.sum());
    b.append(",\"upgrades\":").append(s.upgrades.sum());
    b.append(",\"connectionsRejected\":").append(s.connectionsRejected.sum());
    b.append(",\"connectionsRejectedPerIp\":").append(s.connectionsRejectedPerIp.sum());
    b.append(",\"headerTimeouts\":").append(s.headerTimeouts.sum());
    b.append(",\"bodyTimeouts\":").append(s.bodyTimeouts.sum());
    b.append(",\"idleClosed\":").append(s.idleClosed.sum());
    b.append(",\"adminPathsRefused\":").append(s.adminPathsRefused.sum());
    b.append(",\"backends\":[");
    for (int i = 0; i < proxy.backends.size(); i++) {
      BackendState bs = proxy.backends.get(i);
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"route\":\"").append(bs.backend.route()).append('"');
      b.append(",\"uri\":\"").append(jsonEscape(bs.backend.uri().toString())).append('"');
      b.append(",\"weight\":").append(bs.backend.weight());
      b.append(",\"health\":\"").append(bs.up() ? "up" : "down").append('"');
      b.append(",\"draining\":").append(bs.draining());
      b.append(",\"inFlight\":").append(bs.inFlight.get());
      b.append(",\"idleConnections\":").append(bs.idleCount());
      b.append(",\"requests\":").append(bs.requests.sum());
      b.append(",\"failures\":").append(bs.failures.sum());
      b.append(",\"retries\":").append(bs.retries.sum());
      b.append(",\"checksFailed\":").append(bs.checksFailed.sum());
      b.append('}');
    }
    return b.append("]}\n").toString();
  }

  String html() {
    Stats s = proxy.stats;
    StringBuilder b = new StringBuilder(2048);
    b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Cohort balancer</title>")
        .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:.3em .8em;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}.up{color:#080}.down{color:#c00}")
        .append("</style></head><body><h1>Cohort balancer</h1>");
    b.append("<p>Policy <b>")
        .append(proxy.config.policy().option())
        .append("</b> · health check <b>")
        .append(htmlEscape(proxy.config.healthCheck().toString()))
        .append("</b> · connections ")
        .append(s.connections.get())
        .append(" · requests ")
        .append(s.requests.sum())
        .append(" · retries ")
        .append(s.retries.sum())
        .append(" · failures ")
        .append(s.failures())
        .append(" (502: ")
        .append(s.badGateway.sum())
        .append(", 503: ")
        .append(s.noBackend.sum())
        .append(", 504: ")
        .append(s.timeouts.sum())
        .append(") · rejected as malformed ")
        .append(s.badRequests.sum())
        .append("</p><p>Slow or idle clients: 408 for a late head ")
        .append(s.headerTimeouts.sum())
        .append(", for a stalled body ")
        .append(s.bodyTimeouts.sum())
        .append(" · closed idle ")
        .append(s.idleClosed.sum())
        .append(" · connections refused (max-connections ")
        .append(s.connectionsRejected.sum())
        .append(", per address ")
        .append(s.connectionsRejectedPerIp.sum())
        .append(") · /cohort/ requests refused ")
        .append(s.adminPathsRefused.sum())
        .append("</p>");
    b.append("<table><tr><th>route</th><th>backend</th><th>weight</th><th>health</th>")
        .append("<th>draining</th><th>in flight</th><th>requests</th><th>failures</th>")
        .append("<th>retries</th></tr>");
    for (BackendState bs : proxy.backends) {
      b.append("<tr><td>")
          .append(htmlEscape(bs.backend.route()))
          .append("</td><td>")
          .append(htmlEscape(bs.backend.uri().toString()))
          .append("</td><td>")
          .append(bs.backend.weight())
          .append("</td><td class=\"")
          .append(bs.up() ? "up\">up" : "down\">down")
          .append("</td><td>")
          .append(bs.draining() ? "yes" : "no")
          .append("</td><td>")
          .append(bs.inFlight.get())
          .append("</td><td>")
          .append(bs.requests.sum())
          .append("</td><td>")
          .append(bs.failures.sum())
          .append("</td><td>")
          .append(bs.retries.sum())
          .append("</td></tr>");
    }
    return b.append("</table><p><a href=\"/balancer/status?format=json\">JSON</a> · ")
        .append("<a href=\"/balancer/metrics\">metrics</a></p></body></html>\n")
        .toString();
  }

  String metrics() {
    Stats s = proxy.stats;
    StringBuilder b = new StringBuilder(2048);
    gauge(b, "cohort_balancer_connections", "Open client connections.", s.connections.get());
    counter(
        b,
        "cohort_balancer_connections_total",
        "Client connections accepted.",
        s.connectionsTotal.sum());
    counter(
        b,
        "cohort_balancer_connections_rejected_total",
        "Client connections refused by max-connections.",
        s.connectionsRejected.sum());
    counter(
        b,
        "cohort_balancer_connections_rejected_per_ip_total",
        "Client connections refused by max-connections-per-ip.",
        s.connectionsRejectedPerIp.sum());
    b.append(
        "# HELP cohort_balancer_client_timeouts_total Client connections ended by a read"
            + " timeout.\n");
    b.append("# TYPE cohort_balancer_client_timeouts_total counter\n");
    b.append("cohort_balancer_client_timeouts_total{reason=\"header\"} ")
        .append(s.headerTimeouts.sum())
        .append('\n');
    b.append("cohort_balancer_client_timeouts_total{reason=\"body\"} ")
        .append(s.bodyTimeouts.sum())
        .append('\n');
    b.append("cohort_balancer_client_timeouts_total{reason=\"idle\"} ")
        .append(s.idleClosed.sum())
        .append('\n');
    counter(
        b,
        "cohort_balancer_admin_paths_refused_total",
        "Requests for the nodes' /cohort/ pages (except health) answered 404.",
        s.adminPathsRefused.sum());
    counter(b, "cohort_balancer_requests_total", "Requests received.", s.requests.sum());
    counter(
        b,
        "cohort_balancer_retries_total",
        "Requests sent to another backend after a failure.",
        s.retries.sum());
    b.append(
        "# HELP cohort_balancer_failures_total Requests the balancer answered with an error or cut short.\n");
    b.append("# TYPE cohort_balancer_failures_total counter\n");
    b.append("cohort_balancer_failures_total{reason=\"bad_gateway\"} ")
        .append(s.badGateway.sum())
        .append('\n');
    b.append("cohort_balancer_failures_total{reason=\"no_backend\"} ")
        .append(s.noBackend.sum())
        .append('\n');
    b.append("cohort_balancer_failures_total{reason=\"timeout\"} ")
        .append(s.timeouts.sum())
        .append('\n');
    b.append("cohort_balancer_failures_total{reason=\"truncated\"} ")
        .append(s.truncated.sum())
        .append('\n');
    counter(
        b,
        "cohort_balancer_bad_requests_total",
        "Requests refused as malformed or too large.",
        s.badRequests.sum());
    counter(b, "cohort_balancer_upgrades_total", "WebSocket upgrades relayed.", s.upgrades.sum());
    family(
        b, "cohort_balancer_backend_up", "gauge", "1 when the backend passes its health checks.");
    for (BackendState bs : proxy.backends) {
      sample(b, "cohort_balancer_backend_up", bs, bs.up() ? 1 : 0);
    }
    family(
        b,
        "cohort_balancer_backend_draining",
        "gauge",
        "1 when the backend takes no new sessions.");
    for (BackendState bs : proxy.backends) {
      sample(b, "cohort_balancer_backend_draining", bs, bs.draining() ? 1 : 0);
    }
    family(b, "cohort_balancer_backend_in_flight", "gauge", "Requests in flight to the backend.");
    for (BackendState bs : proxy.backends) {
      sample(b, "cohort_balancer_backend_in_flight", bs, bs.inFlight.get());
    }
    family(b, "cohort_balancer_backend_requests_total", "counter", "Requests sent to the backend.");
    for (BackendState bs : proxy.backends) {
      sample(b, "cohort_balancer_backend_requests_total", bs, bs.requests.sum());
    }
    family(
        b,
        "cohort_balancer_backend_failures_total",
        "counter",
        "Failed connects, resets and timeouts.");
    for (BackendState bs : proxy.backends) {
      sample(b, "cohort_balancer_backend_failures_total", bs, bs.failures.sum());
    }
    family(
        b,
        "cohort_balancer_backend_health_checks_failed_total",
        "counter",
        "Failed active health checks.");
    for (BackendState bs : proxy.backends) {
      sample(b, "cohort_balancer_backend_health_checks_failed_total", bs, bs.checksFailed.sum());
    }
    return b.toString();
  }

  private static void gauge(StringBuilder b, String name, String help, long value) {
    family(b, name, "gauge", help);
    b.append(name).append(' ').append(value).append('\n');
  }

  private static void counter(StringBuilder b, String name, String help, long value) {
    family(b, name, "counter", help);
    b.append(name).append(' ').append(value).append('\n');
  }

  private static void family(StringBuilder b, String name, String type, String help) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder b, String name, BackendState bs, long value) {
    // routes are [A-Za-z0-9_-]: nothing to escape in the label
    b.append(name).append("{route=\"").append(bs.backend.route()).append("\"} ").append(value);
    b.append('\n');
  }

  static String htmlEscape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
