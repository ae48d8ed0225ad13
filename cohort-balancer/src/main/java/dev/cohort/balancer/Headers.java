package dev.cohort.balancer;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Header rewriting for the proxy: hop-by-hop removal and {@code X-Forwarded-*}.
 *
 * <p>Forwarding headers are the nodes' idea of who the client is and how it came (Tomcat's
 * RemoteIpValve, Spring's ForwardedHeaderFilter): from a client that is not a trusted proxy they
 * are dropped and set from what the balancer saw; from a trusted proxy they are kept, its address
 * appended to {@code X-Forwarded-For}. A {@code Connection} header never removes a forwarding
 * header, {@code Host} or the framing headers: those are not the client's to drop.
 */
final class Headers {
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  private static final AsciiString HTTP = AsciiString.cached("http");

  /** Headers that say where a request came from: an untrusted client's are dropped. */
  private static final AsciiString[] FORWARDING = {
    X_FORWARDED_FOR,
    X_FORWARDED_PROTO,
    X_FORWARDED_HOST,
    AsciiString.cached("x-forwarded-port"),
    AsciiString.cached("x-forwarded-prefix"),
    AsciiString.cached("x-forwarded-ssl"),
    AsciiString.cached("x-forwarded-server"),
    AsciiString.cached("x-real-ip"),
    AsciiString.cached("forwarded")
  };

  private static final AsciiString[] HOP_BY_HOP = {
    HttpHeaderNames.CONNECTION,
    HttpHeaderNames.KEEP_ALIVE,
    HttpHeaderNames.PROXY_AUTHENTICATE,
    HttpHeaderNames.PROXY_AUTHORIZATION,
    HttpHeaderNames.PROXY_CONNECTION,
    HttpHeaderNames.TE,
    HttpHeaderNames.TRAILER,
    HttpHeaderNames.UPGRADE
  };

  private Headers() {}

  /** GET, HEAD, OPTIONS, PUT, DELETE and TRACE may be sent twice (RFC 9110 §9.2.2). */
  static boolean idempotent(HttpMethod m) {
    return m == HttpMethod.GET
        || m == HttpMethod.HEAD
        || m == HttpMethod.OPTIONS
        || m == HttpMethod.PUT
        || m == HttpMethod.DELETE
        || m == HttpMethod.TRACE
        || m.name().equals("GET")
        || m.name().equals("HEAD")
        || m.name().equals("OPTIONS")
        || m.name().equals("PUT")
        || m.name().equals("DELETE");
  }

  /**
   * A WebSocket opening handshake ({@code Upgrade: websocket} with {@code Connection: upgrade}).
   */
  static boolean isWebSocketUpgrade(HttpRequest r) {
    HttpHeaders h = r.headers();
    return r.method().equals(HttpMethod.GET)
        && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }

  /**
   * Removes hop-by-hop headers (the fixed list and every name the {@code Connection} header lists).
   * Keeps message framing: a chunked message stays chunked.
   */
  static void stripHopByHop(HttpMessage m) {
    HttpHeaders h = m.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(m);
    List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
    for (int i = 0; i < connection.size(); i++) {
      for (String token : connection.get(i).split(",")) {
        String name = token.trim();
        if (!name.isEmpty() && !isProtected(name)) {
          h.remove(name);
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      h.remove(name);
    }
    h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (chunked) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
  }

  /**
   * Names a {@code Connection} header cannot remove: the framing ({@code Content-Length}: without
   * it a body would be read by the node as the next request), {@code Host} and the forwarding
   * headers (the balancer's own, or a trusted proxy's).
   */
  static boolean isProtected(String name) {
    if (name.regionMatches(true, 0, "x-forwarded-", 0, 12)) {
      return true;
    }
    for (AsciiString f : FORWARDING) {
      if (f.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name);
  }

  /** Whether the request carries more than one {@code Host} header (refused with 400). */
  static boolean hasSeveralHosts(HttpRequest r) {
    return r.headers().getAll(HttpHeaderNames.HOST).size() > 1;
  }

  /** The textual IP address of a peer, or null. */
  static String ip(SocketAddress peer) {
    return peer instanceof InetSocketAddress isa && isa.getAddress() != null
        ? isa.getAddress().getHostAddress()
        : null;
  }

  /**
   * Prepares a client request for a backend: HTTP/1.1 keep-alive, hop-by-hop headers removed
   * (except the upgrade pair of a WebSocket handshake), {@code X-Forwarded-*} set.
   *
   * <p>{@code X-Forwarded-Port} is not set (the listening port is not the port the client named
   * when a firewall forwards to it); an untrusted client's is dropped.
   *
   * @param clientIp the peer's address (null when unknown)
   * @param trusted whether the peer is a trusted proxy: then its forwarding headers are kept and
   *     only completed; otherwise any the client sent are replaced
   */
  static void forRequest(HttpRequest r, String clientIp, boolean trusted, boolean webSocket) {
    HttpHeaders h = r.headers();
    h.remove(HttpHeaderNames.EXPECT);
    if (!trusted) {
      for (AsciiString name : FORWARDING) {
        h.remove(name);
      }
    }
    stripHopByHop(r);
    if (webSocket) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }
    r.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (clientIp != null) {
      String prior = trusted ? h.get(X_FORWARDED_FOR) : null;
      h.set(X_FORWARDED_FOR, prior == null || prior.isBlank() ? clientIp : prior + ", " + clientIp);
    }
    if (!h.contains(X_FORWARDED_PROTO)) {
      h.set(X_FORWARDED_PROTO, HTTP);
    }
    if (!h.contains(X_FORWARDED_HOST)) {
      String host = h.get(HttpHeaderNames.HOST);
      if (host != null) {
        h.set(X_FORWARDED_HOST, host);
      }
    }
  }
}
