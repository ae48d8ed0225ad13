/**
 * The Cohort load balancer: a Netty HTTP/1.1 reverse proxy that keeps each user on the node named
 * by the {@code .<route>} suffix of their {@code JSESSIONID} (cookie or {@code ;jsessionid=} path
 * parameter). It knows nothing of the session engine.
 *
 * <h2>Pipelines</h2>
 *
 * <pre>
 *  client connection (one per client socket)            backend connection (pooled, same loop)
 *  admitted by ConnectionLimits (max-connections, per address)
 *  +------------------------------------+               +------------------------------------+
 *  | ClientTimeouts.bytes: every read   |               |                                    |
 *  | HttpRequestDecoder                 |  HttpRequest  | HttpRequestEncoder                 |
 *  |   bounded line/headers (414/431)   |  HttpContent  |                                    |
 *  | ClientTimeouts.messages: head/body |               |                                    |
 *  |   ends (408 late head/stalled body)|               |                                    |
 *  | FrontendHandler                    | ------------> | BackendHandler + ResponseParser    |
 *  |   one exchange at a time:          |   streamed,   |   status line and framing headers  |
 *  |   route, connect, stream, retry;   |   no copies   |   only; hands on the original      |
 *  |   answers 100-continue itself;     | <------------ |   bytes (null owner while idle)    |
 *  |   writes responses as bytes        |  ByteBuf head +------------------------------------+
 *  +------------------------------------+  + body slices
 *
 *  Requests are decoded by Netty and re-encoded (X-Forwarded-*, hop-by-hop removal, the route from
 *  the cookie or path); LocalAnswers keeps /cohort/* (except health) and /balancer/* from the
 *  nodes. Responses are not: the head goes on as a slice of the bytes read (a copy
 *  without the hop-by-hop lines when something must change), the body as retained slices, chunk
 *  framing included (de-chunked only for HTTP/1.0 clients).
 *
 *  after "101 Switching Protocols" to a WebSocket handshake the request decoder and encoder leave
 *  their pipelines, the parser passes bytes on as they come, and FrontendHandler/BackendHandler
 *  relay raw ByteBufs both ways.
 *
 *  back-pressure: a write that makes one side unwritable turns autoRead off on the other side;
 *  channelWritabilityChanged turns it back on. Flushes happen once per read batch.
 * </pre>
 *
 * <h2>Routing</h2>
 *
 * A session whose route backend is up goes there (even if it is draining). Otherwise the session id
 * is hashed (weighted rendezvous) over the backends that are up and not draining, so balancers with
 * the same configuration place a user identically without sharing state. A client without a session
 * is spread by {@link dev.cohort.balancer.Policy}.
 *
 * <h2>Health and fail-over</h2>
 *
 * Active ({@link dev.cohort.balancer.HealthCheck}): by default {@code GET /cohort/health} every
 * interval, 2xx/3xx passing; or another path and expected statuses, or a TCP connect. {@code rise}
 * passes bring a backend up, {@code fall} failures take it down. Passive: a failed connect takes it
 * down at once and the request goes to another backend, whatever its method; with no active check
 * ({@code none}) it gets requests again one interval later. A backend that fails before its first
 * response byte gets an idempotent request retried once elsewhere; others get 502. A silent backend
 * gets 504 after the response timeout.
 *
 * <h2>Exposure</h2>
 *
 * The status pages ({@code /balancer/*}) are served by {@code AdminListener} on a separate
 * listener, loopback by default; the public port answers 404 there. The nodes' admin and farm paths
 * ({@code /cohort/*} except {@code /cohort/health}) are answered 404 (see {@code AdminPaths}). A
 * client's {@code X-Forwarded-*} headers are replaced unless it is a trusted proxy.
 *
 * <p>Public types: {@link dev.cohort.balancer.Balancer}, {@link
 * dev.cohort.balancer.BalancerConfig}, {@link dev.cohort.balancer.Backend}, {@link
 * dev.cohort.balancer.Policy}, {@link dev.cohort.balancer.HealthCheck}; everything else is
 * package-private.
 */
package dev.cohort.balancer;
