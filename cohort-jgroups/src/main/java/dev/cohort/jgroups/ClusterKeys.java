package dev.cohort.jgroups;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Address;

/**
 * The keys a cluster secret gives, one set per {@link Salt}: PBKDF2-HMAC-SHA256 ({@value
 * #ITERATIONS} rounds) of the secret over the salt, expanded (HKDF-Expand, RFC 5869) into a sealing
 * key (AES-256/GCM) and a separate membership key (HMAC-SHA256), each bound to the cluster name.
 *
 * <p>Salts: a member starts with a random salt, derived at once. Every sealed frame names the salt
 * of its key, so a member can read a peer that holds another salt once it has derived that salt's
 * keys. A member adopts its coordinator's salt when it hears the coordinator's multicast under it,
 * so a cluster settles on the salt of its oldest member; partitions that chose different salts
 * merge because each side derives the other's keys. Unicasts are sealed under the salt the
 * destination last used towards us when we hold it, so a joiner and the member it first talks to
 * need only one derivation between them before they can talk.
 *
 * <p>Derivation is slow on purpose (a fraction of a second). Keys for a salt not yet known are
 * derived on one background thread, at most {@value #BURST} at once and one more every {@value
 * #REFILL_MS} ms after that, so frames naming random salts cannot burn the CPU; the frame that
 * asked is dropped and JGroups' retransmission or the next discovery round brings it again. At most
 * {@value #CACHE} other salts' keys are kept (least recently used go first); the current salt's
 * keys are always kept.
 *
 * <p>Thread-safe. The secret is held as characters for derivations and never logged.
 */
final class ClusterKeys implements AutoCloseable {
  static final int ITERATIONS = 310_000;
  static final int BURST = 4;
  static final long REFILL_MS = 2_000;
  static final int CACHE = 16;
  private static final int MAX_PEERS = 4096;
  private static final System.Logger LOG = System.getLogger(ClusterKeys.class.getName());

  /** The keys of one salt. */
  record SaltKeys(Salt salt, SecretKey seal, SecretKey join) {
    @Override
    public String toString() {
      return "SaltKeys[" + salt + "]";
    }
  }

  private final char[] secret;
  private final String cluster;
  private final int iterations;
  private final LongSupplier nanos;
  private final SecureRandom random = new SecureRandom();
  private final ExecutorService kdf;
  private final Map<Salt, SaltKeys> others = new LinkedHashMap<>(CACHE, 0.75f, true);
  private final Set<Salt> pending = new HashSet<>();
  private final Map<Address, Salt> lastFrom = new ConcurrentHashMap<>();
  private final Map<Address, Salt> currentOf = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong derived = new AtomicLong();
  private volatile SaltKeys current;
  private volatile long unreadableAt;
  private volatile boolean unreadableSeen;
  private volatile Address coordinator;
  private double tokens = BURST;
  private long refilledAt;
  private boolean closed;

  /** Derives the keys of a fresh random salt before it returns (a fraction of a second). */
  ClusterKeys(String secret, String cluster, String threadName, LongSupplier nanos) {
    this(secret, cluster, threadName, nanos, ITERATIONS);
  }

  /** With another PBKDF2 round count: unit tests only. */
  ClusterKeys(
      String secret, String cluster, String threadName, LongSupplier nanos, int iterations) {
    this.secret = secret.toCharArray();
    this.cluster = cluster;
    this.iterations = iterations;
    this.nanos = nanos;
    this.refilledAt = nanos.getAsLong();
    this.current = derive(Salt.random(random));
    this.kdf =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  SecureRandom random() {
    return random;
  }

  String cluster() {
    return cluster;
  }

  /** The salt this member seals its multicasts under. */
  Salt current() {
    return current.salt();
  }

  /** The keys of {@code salt} if they are derived, else null; never derives. */
  SaltKeys cached(Salt salt) {
    SaltKeys c = current;
    if (c.salt().equals(salt)) {
      return c;
    }
    synchronized (this) {
      return others.get(salt);
    }
  }

  /**
   * The keys of {@code salt}, or null when they are not derived yet — then their derivation is
   * started unless the rate limit or the queue refuses it (counted in {@link #refused()}).
   */
  SaltKeys lookup(Salt salt) {
    SaltKeys k = cached(salt);
    if (k != null) {
      return k;
    }
    unreadableAt = nanos.getAsLong();
    unreadableSeen = true;
    synchronized (this) {
      if (closed || pending.contains(salt)) {
        return null;
      }
      refill();
      if (tokens < 1 || pending.size() >= BURST) {
        refused.incrementAndGet();
        return null;
      }
      tokens -= 1;
      pending.add(salt);
    }
    try {
      kdf.execute(() -> deriveInBackground(salt));
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        pending.remove(salt); // closed meanwhile
      }
    }
    return null;
  }

  private void deriveInBackground(Salt salt) {
    SaltKeys k = null;
    try {
      k = derive(salt);
    } finally {
      synchronized (this) {
        pending.remove(salt);
        if (k != null && !closed) {
          others.put(salt, k);
          while (others.size() > CACHE) {
            others.remove(others.keySet().iterator().next());
          }
        }
      }
    }
  }

  private void refill() {
    long now = nanos.getAsLong();
    tokens =
        Math.min(
            BURST, tokens + (now - refilledAt) / (double) TimeUnit.MILLISECONDS.toNanos(REFILL_MS));
    refilledAt = now;
  }

  /**
   * The keys to seal a frame to {@code dest} under (null: a multicast): ours, unless {@code dest}
   * is not known to hold our salt and last wrote to us under a salt whose keys we hold — a joiner
   * or a member of another partition, which can read that salt already.
   */
  SaltKeys sealingKeys(Address dest) {
    SaltKeys c = current;
    if (dest == null || c.salt().equals(currentOf.get(dest))) {
      return c;
    }
    Salt theirs = lastFrom.get(dest);
    if (theirs == null || theirs.equals(c.salt())) {
      return c;
    }
    SaltKeys k = cached(theirs);
    return k == null ? c : k;
  }

  /**
   * Notes an authentic frame from {@code src} under {@code salt}. A multicast is always sealed
   * under its sender's own salt; one from the coordinator under another salt than ours makes its
   * salt ours (its keys are cached: the frame was just opened with them).
   */
  void heardFrom(Address src, Salt salt, boolean multicast) {
    remember(lastFrom, src, salt);
    if (multicast) {
      remember(currentOf, src, salt);
      if (src.equals(coordinator) && !salt.equals(current.salt())) {
        adopt(salt);
      }
    }
  }

  private static void remember(Map<Address, Salt> map, Address src, Salt salt) {
    if (!salt.equals(map.get(src))) {
      if (map.size() >= MAX_PEERS) {
        map.clear(); // members talk again within a heartbeat; only discovery noise is lost
      }
      map.put(src, salt);
    }
  }

  /** The coordinator of the view this member installed last (null before the first view). */
  void coordinator(Address coord) {
    this.coordinator = coord;
  }

  private void adopt(Salt salt) {
    synchronized (this) {
      SaltKeys next = others.remove(salt);
      if (next == null) {
        return; // not derived yet: the coordinator's next multicast will do
      }
      SaltKeys previous = current;
      others.put(previous.salt(), previous);
      current = next;
      LOG.log(Level.DEBUG, () -> "sealing under the coordinator's salt " + salt + " now");
    }
  }

  /**
   * Whether a frame under a salt whose keys were not derived yet arrived at or after {@code
   * sinceNanos} (on this instance's clock): a sign that members this one cannot read yet exist.
   */
  boolean heardUnreadableSince(long sinceNanos) {
    return unreadableSeen && unreadableAt - sinceNanos >= 0;
  }

  /** Whether a derivation for another salt is queued or running. */
  synchronized boolean deriving() {
    return !pending.isEmpty();
  }

  /** This instance's clock. */
  long nanoTime() {
    return nanos.getAsLong();
  }

  /** Derivations refused by the rate limit or the queue. */
  long refused() {
    return refused.get();
  }

  /** Salts derived so far, the first one included. */
  long derived() {
    return derived.get();
  }

  private SaltKeys derive(Salt salt) {
    PBEKeySpec spec = new PBEKeySpec(secret, salt.bytes(), iterations, 256);
    byte[] prk = null;
    try {
      prk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      SaltKeys k =
          new SaltKeys(
              salt,
              new SecretKeySpec(expand(prk, utf8("cohort seal v1 " + cluster)), "AES"),
              new SecretKeySpec(expand(prk, utf8("cohort join v1 " + cluster)), "HmacSHA256"));
      derived.incrementAndGet();
      return k;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "deriving the cluster keys failed: " + e + " — the JDK lacks PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
      if (prk != null) {
        Arrays.fill(prk, (byte) 0);
      }
    }
  }

  /** HKDF-Expand (RFC 5869) for one 32-byte block. */
  static byte[] expand(byte[] prk, byte[] info) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(info);
    mac.update((byte) 1);
    return mac.doFinal();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      others.clear();
      pending.clear();
    }
    kdf.shutdownNow();
    Arrays.fill(secret, '\0');
  }

  @Override
  public String toString() {
    return "ClusterKeys[cluster " + cluster + ", salt " + current.salt() + "]";
  }
}
