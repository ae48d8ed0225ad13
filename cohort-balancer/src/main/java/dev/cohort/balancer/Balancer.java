package dev.cohort.balancer;

import java.util.Objects;

/**
 * The Cohort HTTP load balancer. Construct with a validated {@link BalancerConfig}, {@link
 * #start()} to bind, {@link #close()} to stop.
 */
public final class Balancer implements AutoCloseable {
  private final BalancerConfig config;

  /** Creates a stopped balancer. */
  public Balancer(BalancerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Binds and starts serving. */
  public void start() {
    throw new UnsupportedOperationException("balancer: not built yet");
  }

  /** The bound port. */
  public int port() {
    return config.port();
  }

  /** Marks a backend as draining or not. */
  public void drain(String route, boolean draining) {
    if (config.backend(route) == null) {
      throw new IllegalArgumentException("drain: unknown route " + route);
    }
  }

  /** The configuration this balancer runs with. */
  public BalancerConfig config() {
    return config;
  }

  @Override
  public void close() {}
}
