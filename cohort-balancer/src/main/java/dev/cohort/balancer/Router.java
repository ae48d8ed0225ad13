package dev.cohort.balancer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses a backend for a request.
 *
 * <ol>
 *   <li>A session whose route names a backend that is up goes there, draining or not (sticky).
 *   <li>A session whose route backend is down, unknown or already tried goes to the backend with
 *       the highest weighted rendezvous score of (session id, route) among those that are up and
 *       not draining. The score depends on nothing but the id and the configuration, so every
 *       balancer with the same configuration and health view picks the same node: balancers share
 *       no state.
 *   <li>A client without a session is spread by the {@link Policy} over the backends that are up
 *       and not draining.
 * </ol>
 *
 * <p>Thread-safe; only the weighted policy takes a (short) lock.
 */
final class Router {
  private final BackendState[] backends;
  private final Policy policy;
  private final AtomicInteger next = new AtomicInteger();
  private final long[] routeHashes;

  Router(List<BackendState> backends, Policy policy) {
    this.backends = backends.toArray(new BackendState[0]);
    this.policy = policy;
    this.routeHashes = new long[this.backends.length];
    for (int i = 0; i < this.backends.length; i++) {
      routeHashes[i] = hash(this.backends[i].backend.route(), 0x9E3779B97F4A7C15L);
    }
  }

  /**
   * The backend for a request carrying {@code sessionId} (may be null), skipping those in {@code
   * tried} (may be null); null when no backend is eligible.
   */
  BackendState pick(String sessionId, List<BackendState> tried) {
    if (sessionId != null) {
      String route = SessionIds.route(sessionId);
      if (route != null) {
        BackendState owner = byRoute(route);
        if (owner != null && owner.up() && !contains(tried, owner)) {
          return owner;
        }
      }
      return rendezvous(sessionId, tried);
    }
    return byPolicy(tried);
  }

  BackendState byRoute(String route) {
    for (BackendState b : backends) {
      if (b.backend.route().equals(route)) {
        return b;
      }
    }
    return null;
  }

  List<BackendState> backends() {
    return List.of(backends);
  }

  private static boolean contains(List<BackendState> tried, BackendState b) {
    return tried != null && tried.contains(b);
  }

  private static boolean eligible(BackendState b, List<BackendState> tried) {
    return b.acceptsNew() && !contains(tried, b);
  }

  BackendState rendezvous(String sessionId, List<BackendState> tried) {
    long idHash = hash(sessionId, 0xC2B2AE3D27D4EB4FL);
    BackendState best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < backends.length; i++) {
      BackendState b = backends[i];
      if (!eligible(b, tried)) {
        continue;
      }
      long h = mix(idHash ^ routeHashes[i]);
      // uniform in (0, 1); weighted rendezvous: -w / ln(u), highest wins
      double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
      double score = -b.backend.weight() / Math.log(u);
      if (score > bestScore) {
        bestScore = score;
        best = b;
      }
    }
    return best;
  }

  private BackendState byPolicy(List<BackendState> tried) {
    switch (policy) {
      case WEIGHTED:
        return weighted(tried);
      case LEAST_CONNECTIONS:
        return leastConnections(tried);
      case RANDOM:
        return nth(tried, -1);
      case ROUND_ROBIN:
      default:
        return nth(tried, next.getAndIncrement());
    }
  }

  /** The k-th eligible backend (k modulo their number; k < 0 = random). */
  private BackendState nth(List<BackendState> tried, int k) {
    int count = 0;
    for (BackendState b : backends) {
      if (eligible(b, tried)) {
        count++;
      }
    }
    if (count == 0) {
      return null;
    }
    int target = k < 0 ? ThreadLocalRandom.current().nextInt(count) : Math.floorMod(k, count);
    for (BackendState b : backends) {
      if (eligible(b, tried) && target-- == 0) {
        return b;
      }
    }
    return null;
  }

  /** Smooth weighted round-robin (nginx's): exact shares, well interleaved. */
  private synchronized BackendState weighted(List<BackendState> tried) {
    BackendState best = null;
    int total = 0;
    for (BackendState b : backends) {
      if (!eligible(b, tried)) {
        continue;
      }
      b.currentWeight += b.backend.weight();
      total += b.backend.weight();
      if (best == null || b.currentWeight > best.currentWeight) {
        best = b;
      }
    }
    if (best != null) {
      best.currentWeight -= total;
    }
    return best;
  }

  /** Fewest in-flight requests per unit of weight; ties rotate. */
  private BackendState leastConnections(List<BackendState> tried) {
    int n = backends.length;
    int start = Math.floorMod(next.getAndIncrement(), n);
    BackendState best = null;
    long bestLoad = 0;
    for (int i = 0; i < n; i++) {
      BackendState b = backends[(start + i) % n];
      if (!eligible(b, tried)) {
        continue;
      }
      // compare inFlight/weight without division: scale by the product of the other weights
      long load = (long) b.inFlight.get() * Backend.MAX_WEIGHT / b.backend.weight();
      if (best == null || load < bestLoad) {
        best = b;
        bestLoad = load;
      }
    }
    return best;
  }

  /** FNV-1a over the UTF-8 bytes, then a 64-bit finalizer; stable across JVMs and releases. */
  static long hash(String s, long seed) {
    long h = 0xcbf29ce484222325L ^ seed;
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** The SplitMix64 finalizer. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
