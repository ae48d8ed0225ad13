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
 * @param healthInterval time between two active health checks of one backend
 * @param rise consecutive passed checks that bring a down backend up
 * @param fall consecutive failed checks that take an up backend down
 * @param connectTimeout bound on a TCP connect to a backend
 * @param responseTimeout bound on the wait for a backend's next response byte
 * @param maxHeaderBytes bound on a request's or response's header block (431 beyond it)
 * @param maxConnections bound on concurrent client connections (more are refused)
 */
public record BalancerConfig(
    String bindAddress,
    int port,
    List<Backend> backends,
    Policy policy,
    Duration healthInterval,
    int rise,
    int fall,
    Duration connectTimeout,
    Duration responseTimeout,
    int maxHeaderBytes,
    int maxConnections) {

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
  }

  private static void positive(String option, Duration d) {
    if (d == null || d.isNegative() || d.isZero() || d.toMillis() < 1) {
      throw new IllegalArgumentException(
          option + ": " + d + " — use a duration of at least 1 ms (e.g. 1s, 500ms)");
    }
  }

  /**
   * The defaults: {@code 127.0.0.1:8080}, round-robin, health every 1 s, rise 2, fall 2, connect
   * timeout 1 s, response timeout 30 s, 16 KiB of headers, 10,000 connections.
   */
  public static BalancerConfig defaults(List<Backend> backends) {
    return new BalancerConfig(
        "127.0.0.1",
        8080,
        backends,
        Policy.ROUND_ROBIN,
        Duration.ofSeconds(1),
        2,
        2,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        16 * 1024,
        10_000);
  }

  /** A copy with another bind address. */
  public BalancerConfig withBindAddress(String value) {
    return new BalancerConfig(
        value,
        port,
        backends,
        policy,
        healthInterval,
        rise,
        fall,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another port (0 = ephemeral). */
  public BalancerConfig withPort(int value) {
    return new BalancerConfig(
        bindAddress,
        value,
        backends,
        policy,
        healthInterval,
        rise,
        fall,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with other backends. */
  public BalancerConfig withBackends(List<Backend> value) {
    return new BalancerConfig(
        bindAddress,
        port,
        value,
        policy,
        healthInterval,
        rise,
        fall,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another policy. */
  public BalancerConfig withPolicy(Policy value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        value,
        healthInterval,
        rise,
        fall,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another health-check interval. */
  public BalancerConfig withHealthInterval(Duration value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        policy,
        value,
        rise,
        fall,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another rise count. */
  public BalancerConfig withRise(int value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        policy,
        healthInterval,
        value,
        fall,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another fall count. */
  public BalancerConfig withFall(int value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        policy,
        healthInterval,
        rise,
        value,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another connect timeout. */
  public BalancerConfig withConnectTimeout(Duration value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        policy,
        healthInterval,
        rise,
        fall,
        value,
        responseTimeout,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another response timeout. */
  public BalancerConfig withResponseTimeout(Duration value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        policy,
        healthInterval,
        rise,
        fall,
        connectTimeout,
        value,
        maxHeaderBytes,
        maxConnections);
  }

  /** A copy with another header-size bound. */
  public BalancerConfig withMaxHeaderBytes(int value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        policy,
        healthInterval,
        rise,
        fall,
        connectTimeout,
        responseTimeout,
        value,
        maxConnections);
  }

  /** A copy with another connection bound. */
  public BalancerConfig withMaxConnections(int value) {
    return new BalancerConfig(
        bindAddress,
        port,
        backends,
        policy,
        healthInterval,
        rise,
        fall,
        connectTimeout,
        responseTimeout,
        maxHeaderBytes,
        value);
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
        + "]";
  }
}
