package dev.cohort.balancer;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of client connections at accept: at most {@code max-connections} in all and {@code
 * max-connections-per-ip} from one address (trusted proxies are exempt from the second: every
 * client behind them shares their address). A refused connection is closed before anything is read;
 * both refusals are counted in {@link Stats}. Thread-safe (the accept runs on the event loop of
 * each new connection).
 */
final class ConnectionLimits {
  private final BalancerConfig config;
  private final TrustedProxies trusted;
  private final Stats stats;
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress =
      new ConcurrentHashMap<>();

  ConnectionLimits(BalancerConfig config, TrustedProxies trusted, Stats stats) {
    this.config = config;
    this.trusted = trusted;
    this.stats = stats;
  }

  /**
   * Admits {@code ch} (and arranges for its counts to go down when it closes), or closes it.
   *
   * @return whether the connection was admitted
   */
  boolean admit(Channel ch) {
    if (stats.connections.incrementAndGet() > config.maxConnections()) {
      stats.connections.decrementAndGet();
      stats.connectionsRejected.increment();
      ch.close();
      return false;
    }
    InetAddress address =
        ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    if (address != null && !trusted.contains(address) && !take(address)) {
      stats.connections.decrementAndGet();
      stats.connectionsRejectedPerIp.increment();
      ch.close();
      return false;
    }
    stats.connectionsTotal.increment();
    ch.closeFuture()
        .addListener(
            f -> {
              stats.connections.decrementAndGet();
              if (address != null && !trusted.contains(address)) {
                give(address);
              }
            });
    return true;
  }

  private boolean take(InetAddress address) {
    boolean[] admitted = {false};
    perAddress.compute(
        address,
        (a, n) -> {
          AtomicInteger count = n == null ? new AtomicInteger() : n;
          if (count.get() < config.maxConnectionsPerIp()) {
            count.incrementAndGet();
            admitted[0] = true;
          }
          return count.get() == 0 ? null : count;
        });
    return admitted[0];
  }

  private void give(InetAddress address) {
    perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() == 0 ? null : n);
  }

  /** Addresses with at least one open connection (not trusted proxies). */
  int addresses() {
    return perAddress.size();
  }
}
