package dev.cohort.balancer;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The requests on the public port that the balancer answers itself instead of forwarding: two
 * {@code Host} headers (400: the node and the balancer could read different hosts), the nodes'
 * admin paths ({@link AdminPaths}: 404 unless {@code forward-admin-paths}), and {@code /balancer/*}
 * (404, or the status pages with {@code status-on-public-port}). Thread-safe.
 */
final class LocalAnswers {
  private final ProxyContext proxy;

  LocalAnswers(ProxyContext proxy) {
    this.proxy = proxy;
  }

  /** The answer to {@code req}, or null when it goes to a node. */
  FullHttpResponse answer(HttpRequest req) {
    if (Headers.hasSeveralHosts(req)) {
      proxy.stats.badRequests.increment();
      return FrontendHandler.error(
          HttpResponseStatus.BAD_REQUEST,
          "the request has more than one Host header — send exactly one");
    }
    String uri = req.uri();
    if (uri.startsWith("/balancer/") || uri.equals("/balancer")) {
      if (proxy.config.statusOnPublicPort()) {
        proxy.stats.adminRequests.increment();
        return proxy.admin.handle(req);
      }
      return FrontendHandler.error(
          HttpResponseStatus.NOT_FOUND,
          "the balancer's pages are served on its admin port only (admin-port)");
    }
    if (!proxy.config.forwardAdminPaths() && AdminPaths.refused(uri)) {
      proxy.stats.adminPathsRefused.increment();
      return FrontendHandler.error(
          HttpResponseStatus.NOT_FOUND,
          "the nodes' /cohort/ pages (other than /cohort/health) are not forwarded — open them on"
              + " the node's own address");
    }
    return null;
  }
}
