package dev.cohort.balancer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link Balancer} needs, validated once in the constructor: a bad value throws {@link
 * IllegalArgumentException} whose message starts with the option's name (the same name as the
 * {@code cohort balancer} option, e.g. {@code "health-interval: ..."}).
 *
 * @param bindAddress address to listen on (default {@code 127.0.0.1})
 * @param port port to listen on; 0 picks a free one (see {@link Balancer#port()})
 * @param backends the nodes, at least one, routes unique
 * @param policy how new clients are spread
 * @param healthInterval time between two active health checks of one backend; with {@link
 *     HealthCheck#none()}, how long a backend that a failed connect took down gets no requests
 * @param healthCheck how backends are checked: an HTTP request (default {@code GET /cohort/health},
 *     2xx/3xx passes), a TCP connect, or none
 * @param rise consecutive passed checks that bring a down backend up
 * @param fall consecutive failed checks that take an up backend down
 * @param connectTimeout bound on a TCP connect to a backend
 * @param responseTimeout bound on the wait for a backend's next response byte
 * @param maxHeaderBytes bound on a request's or response's header block (431 beyond it)
 * @param maxConnections bound on concurrent client connections (more are refused)
 * @param headerTimeout bound on the time a client takes to send a request head, from its first byte
 *     (from the accept for a connection's first request); 408 beyond it
 * @param bodyTimeout bound on the time between two reads of a request body while the balancer reads
 *     it (paused reading does not count); 408 beyond it, or a close once the response began
 * @param keepAliveTimeout bound on the idle time between two requests of a connection (a plain
 *     close beyond it)
 * @param maxConnectionsPerIp bound on concurrent client connections from one address (more are
 *     closed at accept); trusted proxies are exempt
 * @param trustedProxies addresses or CIDRs (e.g. {@code 10.0.0.0/8}) whose {@code X-Forwarded-*}
 *     headers are kept; every other client's are replaced by what the balancer saw. Default empty
 * @param forwardAdminPaths forward {@code /cohort/*} (the nodes' admin and farm endpoints) to the
 *     nodes; by default only {@code /cohort/health} is forwarded and the rest answered 404
 * @param adminBindAddress address of the admin listener that serves {@code /balancer/*}
 * @param adminPort port of the admin listener; 0 picks a free one (see {@link
 *     Balancer#adminPort()}), -1 opens none
 * @param statusOnPublicPort serve {@code /balancer/*} on the public port too (by default it is
 *     answered 404 there)
 */
public record BalancerConfig(
    String bindAddress,
    int port,
    List<Backend> backends,
    Policy policy,
    Duration healthInterval,
    HealthCheck healthCheck,
    int rise,
    int fall,
    Duration connectTimeout,
    Duration responseTimeout,
    int maxHeaderBytes,
    int maxConnections,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration keepAliveTimeout,
    int maxConnectionsPerIp,
    List<String> trustedProxies,
    boolean forwardAdminPaths,
    String adminBindAddress,
    int adminPort,
    boolean statusOnPublicPort) {

  /** Smallest accepted {@code maxHeaderBytes}. */
  public static final int MIN_HEADER_BYTES = 1024;

  /** Largest accepted {@code maxHeaderBytes}. */
  public static final int MAX_HEADER_BYTES = 1024 * 1024;

  /** Validates every option; see the class comment. */
  public BalancerConfig {
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException(
          "bind: empty address — use an IP address such as 127.0.0.1 or 0.0.0.0");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is out of range — use 0..65535");
    }
    if (backends == null || backends.isEmpty()) {
      throw new IllegalArgumentException(
          "backend: no backend given — add at least one route=http://host:port");
    }
    backends = List.copyOf(backends);
    Set<String> routes = new HashSet<>();
    for (Backend b : backends) {
      if (!routes.add(b.route())) {
        throw new IllegalArgumentException(
            "backend: route " + b.route() + " is given twice — every backend needs its own route");
      }
    }
    if (policy == null) {
      throw new IllegalArgumentException(
          "policy: missing — use round-robin, random, weighted or least-connections");
    }
    positive("health-interval", healthInterval);
    if (healthCheck == null) {
      throw new IllegalArgumentException(
          "health-check: missing — use HealthCheck.defaults(), http(path, statuses), tcp() or"
              + " none()");
    }
    if (rise < 1 || rise > 100) {
      throw new IllegalArgumentException("rise: " + rise + " — use 1..100 consecutive checks");
    }
    if (fall < 1 || fall > 100) {
      throw new IllegalArgumentException("fall: " + fall + " — use 1..100 consecutive checks");
    }
    positive("connect-timeout", connectTimeout);
    positive("response-timeout", responseTimeout);
    if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connect-timeout: too long — use at most 24 days");
    }
    if (maxHeaderBytes < MIN_HEADER_BYTES || maxHeaderBytes > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(
          "max-header-bytes: "
              + maxHeaderBytes
              + " — use "
              + MIN_HEADER_BYTES
              + ".."
              + MAX_HEADER_BYTES);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "max-connections: " + maxConnections + " — use at least 1");
    }
    positive("header-timeout", headerTimeout);
    positive("body-timeout", bodyTimeout);
    positive("keep-alive-timeout", keepAliveTimeout);
    if (maxConnectionsPerIp < 1) {
      throw new IllegalArgumentException(
          "max-connections-per-ip: " + maxConnectionsPerIp + " — use at least 1");
    }
    if (trustedProxies == null) {
      throw new IllegalArgumentException(
          "trusted-proxy: missing — use an empty list to trust no proxy");
    }
    trustedProxies = List.copyOf(trustedProxies);
    TrustedProxies.parse(trustedProxies); // throws naming trusted-proxy
    if (adminBindAddress == null || adminBindAddress.isBlank()) {
      throw new IllegalArgumentException(
          "admin-bind: empty address — use an IP address such as 127.0.0.1");
    }
    if (adminPort < -1 || adminPort > 65535) {
      throw new IllegalArgumentException(
          "admin-port: " + adminPort + " is out of range — use 0..65535, or -1 for none");
    }
    if (adminPort > 0 && adminPort == port) {
      throw new IllegalArgumentException(
          "admin-port: "
              + adminPort
              + " is also the public port — give the status pages a port of their own");
    }
  }

  private static void positive(String option, Duration d) {
    if (d == null || d.isNegative() || d.isZero() || d.toMillis() < 1) {
      throw new IllegalArgumentException(
          option + ": " + d + " — use a duration of at least 1 ms (e.g. 1s, 500ms)");
    }
  }

  /** Default admin port: the status pages listen here, on 127.0.0.1 only. */
  public static final int DEFAULT_ADMIN_PORT = 8079;

  /**
   * The defaults: {@code 127.0.0.1:8080}, round-robin, health every 1 s by {@code GET
   * /cohort/health} expecting 2xx/3xx, rise 2, fall 2, connect timeout 1 s, response timeout 30 s,
   * 16 KiB of headers, 10,000 connections, 256 per client address, request head within 10 s,
   * request body progress every 30 s, 60 s idle keep-alive, no trusted proxy, {@code /cohort/*}
   * except health not forwarded, status pages on {@code 127.0.0.1:8079} only.
   */
  public static BalancerConfig defaults(List<Backend> backends) {
    return new BalancerConfig(
        "127.0.0.1",
        8080,
        backends,
        Policy.ROUND_ROBIN,
        Duration.ofSeconds(1),
        HealthCheck.defaults(),
        2,
        2,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        16 * 1024,
        10_000,
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        256,
        List.of(),
        false,
        "127.0.0.1",
        DEFAULT_ADMIN_PORT,
        false);
  }

  /** A copy with another bind address. */
  public BalancerConfig withBindAddress(String value) {
    Copy c = new Copy(this);
    c.bindAddress = value;
    return c.build();
  }

  /** A copy with another port (0 = ephemeral). */
  public BalancerConfig withPort(int value) {
    Copy c = new Copy(this);
    c.port = value;
    return c.build();
  }

  /** A copy with other backends. */
  public BalancerConfig withBackends(List<Backend> value) {
    Copy c = new Copy(this);
    c.backends = value;
    return c.build();
  }

  /** A copy with another policy. */
  public BalancerConfig withPolicy(Policy value) {
    Copy c = new Copy(this);
    c.policy = value;
    return c.build();
  }

  /** A copy with another health-check interval. */
  public BalancerConfig withHealthInterval(Duration value) {
    Copy c = new Copy(this);
    c.healthInterval = value;
    return c.build();
  }

  /** A copy with another kind of health check. */
  public BalancerConfig withHealthCheck(HealthCheck value) {
    Copy c = new Copy(this);
    c.healthCheck = value;
    return c.build();
  }

  /** A copy with another rise count. */
  public BalancerConfig withRise(int value) {
    Copy c = new Copy(this);
    c.rise = value;
    return c.build();
  }

  /** A copy with another fall count. */
  public BalancerConfig withFall(int value) {
    Copy c = new Copy(this);
    c.fall = value;
    return c.build();
  }

  /** A copy with another connect timeout. */
  public BalancerConfig withConnectTimeout(Duration value) {
    Copy c = new Copy(this);
    c.connectTimeout = value;
    return c.build();
  }

  /** A copy with another response timeout. */
  public BalancerConfig withResponseTimeout(Duration value) {
    Copy c = new Copy(this);
    c.responseTimeout = value;
    return c.build();
  }

  /** A copy with another header-size bound. */
  public BalancerConfig withMaxHeaderBytes(int value) {
    Copy c = new Copy(this);
    c.maxHeaderBytes = value;
    return c.build();
  }

  /** A copy with another connection bound. */
  public BalancerConfig withMaxConnections(int value) {
    Copy c = new Copy(this);
    c.maxConnections = value;
    return c.build();
  }

  /** A copy with another request-head timeout. */
  public BalancerConfig withHeaderTimeout(Duration value) {
    Copy c = new Copy(this);
    c.headerTimeout = value;
    return c.build();
  }

  /** A copy with another request-body progress timeout. */
  public BalancerConfig withBodyTimeout(Duration value) {
    Copy c = new Copy(this);
    c.bodyTimeout = value;
    return c.build();
  }

  /** A copy with another idle keep-alive timeout. */
  public BalancerConfig withKeepAliveTimeout(Duration value) {
    Copy c = new Copy(this);
    c.keepAliveTimeout = value;
    return c.build();
  }

  /** A copy with another per-address connection bound. */
  public BalancerConfig withMaxConnectionsPerIp(int value) {
    Copy c = new Copy(this);
    c.maxConnectionsPerIp = value;
    return c.build();
  }

  /** A copy with other trusted proxies (addresses or CIDRs). */
  public BalancerConfig withTrustedProxies(List<String> value) {
    Copy c = new Copy(this);
    c.trustedProxies = value;
    return c.build();
  }

  /** A copy with admin paths forwarded to the nodes, or not. */
  public BalancerConfig withForwardAdminPaths(boolean value) {
    Copy c = new Copy(this);
    c.forwardAdminPaths = value;
    return c.build();
  }

  /** A copy with another admin listener address. */
  public BalancerConfig withAdminBindAddress(String value) {
    Copy c = new Copy(this);
    c.adminBindAddress = value;
    return c.build();
  }

  /** A copy with another admin port (0 = ephemeral, -1 = no admin listener). */
  public BalancerConfig withAdminPort(int value) {
    Copy c = new Copy(this);
    c.adminPort = value;
    return c.build();
  }

  /** A copy with the status pages served on the public port too, or not. */
  public BalancerConfig withStatusOnPublicPort(boolean value) {
    Copy c = new Copy(this);
    c.statusOnPublicPort = value;
    return c.build();
  }

  /** A mutable copy of every component, for the {@code with...} methods. */
  private static final class Copy {
    private String bindAddress;
    private int port;
    private List<Backend> backends;
    private Policy policy;
    private Duration healthInterval;
    private HealthCheck healthCheck;
    private int rise;
    private int fall;
    private Duration connectTimeout;
    private Duration responseTimeout;
    private int maxHeaderBytes;
    private int maxConnections;
    private Duration headerTimeout;
    private Duration bodyTimeout;
    private Duration keepAliveTimeout;
    private int maxConnectionsPerIp;
    private List<String> trustedProxies;
    private boolean forwardAdminPaths;
    private String adminBindAddress;
    private int adminPort;
    private boolean statusOnPublicPort;

    Copy(BalancerConfig c) {
      bindAddress = c.bindAddress;
      port = c.port;
      backends = c.backends;
      policy = c.policy;
      healthInterval = c.healthInterval;
      healthCheck = c.healthCheck;
      rise = c.rise;
      fall = c.fall;
      connectTimeout = c.connectTimeout;
      responseTimeout = c.responseTimeout;
      maxHeaderBytes = c.maxHeaderBytes;
      maxConnections = c.maxConnections;
      headerTimeout = c.headerTimeout;
      bodyTimeout = c.bodyTimeout;
      keepAliveTimeout = c.keepAliveTimeout;
      maxConnectionsPerIp = c.maxConnectionsPerIp;
      trustedProxies = c.trustedProxies;
      forwardAdminPaths = c.forwardAdminPaths;
      adminBindAddress = c.adminBindAddress;
      adminPort = c.adminPort;
      statusOnPublicPort = c.statusOnPublicPort;
    }

    BalancerConfig build() {
      return new BalancerConfig(
          bindAddress,
          port,
          backends,
          policy,
          healthInterval,
          healthCheck,
          rise,
          fall,
          connectTimeout,
          responseTimeout,
          maxHeaderBytes,
          maxConnections,
          headerTimeout,
          bodyTimeout,
          keepAliveTimeout,
          maxConnectionsPerIp,
          trustedProxies,
          forwardAdminPaths,
          adminBindAddress,
          adminPort,
          statusOnPublicPort);
    }
  }

  /** The backend with this route, or null. */
  Backend backend(String route) {
    for (Backend b : backends) {
      if (b.route().equals(route)) {
        return b;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "BalancerConfig[bind="
        + bindAddress
        + ":"
        + port
        + ", backends="
        + backends
        + ", policy="
        + policy
        + ", health="
        + healthCheck
        + " every "
        + healthInterval.toMillis()
        + "ms rise "
        + rise
        + " fall "
        + fall
        + ", connect="
        + connectTimeout.toMillis()
        + "ms, response="
        + responseTimeout.toMillis()
        + "ms, maxHeaderBytes="
        + maxHeaderBytes
        + ", maxConnections="
        + Objects.toString(maxConnections)
        + " ("
        + maxConnectionsPerIp
        + " per address), header="
        + headerTimeout.toMillis()
        + "ms, body="
        + bodyTimeout.toMillis()
        + "ms, keepAlive="
        + keepAliveTimeout.toMillis()
        + "ms, trustedProxies="
        + trustedProxies
        + ", forwardAdminPaths="
        + forwardAdminPaths
        + ", admin="
        + (adminPort < 0 ? "none" : adminBindAddress + ":" + adminPort)
        + ", statusOnPublicPort="
        + statusOnPublicPort
        + "]";
  }
}
