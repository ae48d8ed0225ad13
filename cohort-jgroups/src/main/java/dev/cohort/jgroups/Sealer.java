package dev.cohort.jgroups;

import dev.cohort.jgroups.ClusterKeys.SaltKeys;
import dev.cohort.jgroups.SealCounters.Drop;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.Util;

/**
 * Seals a whole JGroups message — destination, source, flags, every header and the payload — into
 * the payload of an outer message, and opens it again. A sealed payload:
 *
 * <pre>
 *   clear, authenticated:  version (1) | salt (16) | stream (8) | counter (8)
 *   AES-256/GCM:           send time, ms (8) | the message (JGroups' own encoding)
 *   tag (16)
 * </pre>
 *
 * The GCM nonce is the stream id and the counter's low 32 bits; a sender keeps one stream per
 * destination (a random id, counters from 0, a new stream before the counter reaches 2^32), so no
 * nonce repeats under a key. The receiver refuses, in this order: a frame that does not parse, one
 * whose salt's keys are not derived yet (it asks for them), one whose tag fails, one sent more than
 * {@link #FRESHNESS} away from its own clock, one whose sealed source, destination or OOB flag
 * differ from the outer frame's (or whose destination is not this member), and a counter it has
 * seen on that stream before or that is below the stream's window. Each refusal is counted.
 *
 * <p>Replays: a frame accepted once is refused as a duplicate for as long as its stream's window is
 * kept — at least twice {@link #FRESHNESS} after the stream's last frame — and by its send time
 * after that. Thread-safe.
 */
final class Sealer {
  static final byte VERSION = 1;
  static final int CLEAR = 1 + Salt.BYTES + 8 + 8;
  static final int TAG = 16;
  static final int MIN_LENGTH = CLEAR + 8 + 2 + TAG;

  /** How far a frame's send time may be from the receiver's clock. */
  static final Duration FRESHNESS = Duration.ofSeconds(120);

  private static final long MAX_COUNTER = 0xFFFF_FFFFL;
  private static final long WINDOW_KEPT_NANOS = FRESHNESS.multipliedBy(2).plusMinutes(1).toNanos();
  private static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final int MAX_STREAMS = 1024;

  /** One sender's stream to one destination. */
  private static final class Stream {
    final long id;
    final AtomicLong next = new AtomicLong();

    Stream(long id) {
      this.id = id;
    }
  }

  private record StreamKey(Address src, long stream) {}

  private final ClusterKeys keys;
  private final SealCounters counters;
  private final LongSupplier wallMillis;
  private final LongSupplier nanos;
  private final Map<Object, Stream> streams = new ConcurrentHashMap<>();
  private final Map<StreamKey, ReplayWindow> windows = new ConcurrentHashMap<>();
  private final AtomicLong sweptAt;
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(Sealer::newCipher);

  Sealer(ClusterKeys keys, SealCounters counters, LongSupplier wallMillis, LongSupplier nanos) {
    this.keys = keys;
    this.counters = counters;
    this.wallMillis = wallMillis;
    this.nanos = nanos;
    this.sweptAt = new AtomicLong(nanos.getAsLong());
  }

  ClusterKeys keys() {
    return keys;
  }

  SealCounters counters() {
    return counters;
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is missing from this JDK: " + e, e);
    }
  }

  /**
   * The outer message that travels instead of {@code inner}: same destination, source and flags, no
   * headers, the sealed bytes as payload.
   *
   * @param streamKey what the sender's stream is kept per: the destination, or another key for a
   *     path of its own (multicast discovery)
   */
  Message seal(Message inner, Object streamKey) {
    Address dest = inner.dest();
    SaltKeys k = keys.sealingKeys(dest);
    Stream s;
    long counter;
    while (true) {
      s = stream(streamKey);
      counter = s.next.getAndIncrement();
      if (counter <= MAX_COUNTER) {
        break;
      }
      retire(streamKey, s);
    }
    try {
      ByteArrayDataOutputStream plain = new ByteArrayDataOutputStream(inner.size() + 16);
      plain.writeLong(wallMillis.getAsLong());
      plain.writeShort(inner.getType());
      inner.writeTo(plain);
      byte[] out = new byte[CLEAR + plain.position() + TAG];
      out[0] = VERSION;
      k.salt().write(out, 1);
      ByteBuffer.wrap(out, 1 + Salt.BYTES, 16).putLong(s.id).putLong(counter);
      Cipher c = ciphers.get();
      c.init(Cipher.ENCRYPT_MODE, k.seal(), new GCMParameterSpec(TAG * 8, nonce(s.id, counter)));
      c.updateAAD(out, 0, CLEAR);
      c.doFinal(plain.buffer(), 0, plain.position(), out, CLEAR);
      Message outer = new BytesMessage(dest, out).setSrc(inner.src());
      outer.setFlag(inner.getFlags(false), false, false);
      outer.setFlag(inner.getFlags(true), true, false);
      return outer;
    } catch (Exception e) {
      throw new IllegalStateException("sealing a message to " + dest + " failed: " + e, e);
    }
  }

  private Stream stream(Object key) {
    Stream s = streams.get(key);
    if (s != null) {
      return s;
    }
    if (streams.size() >= MAX_STREAMS) {
      streams.clear(); // new streams are merely new to their receivers
    }
    return streams.computeIfAbsent(key, k -> new Stream(keys.random().nextLong()));
  }

  private void retire(Object key, Stream used) {
    streams.remove(key, used);
  }

  private static byte[] nonce(long stream, long counter) {
    return ByteBuffer.allocate(12).putLong(stream).putInt((int) counter).array();
  }

  /**
   * Opens a frame that came in as {@code outer} from {@code src}; null when it was dropped (and
   * counted).
   *
   * @param forMe whether a destination address names this member
   */
  Message open(Message outer, Address src, Predicate<Address> forMe) {
    sweepIdleWindows();
    byte[] a = outer.getArray();
    int off = outer.getOffset();
    int len = outer.getLength();
    if (a == null || len < MIN_LENGTH || a[off] != VERSION) {
      counters.drop(Drop.UNAUTHENTICATED, src, "not sealed (a member without the secret?)");
      return null;
    }
    Salt salt = Salt.read(a, off + 1);
    ByteBuffer clear = ByteBuffer.wrap(a, off + 1 + Salt.BYTES, 16);
    long stream = clear.getLong();
    long counter = clear.getLong();
    if (counter < 0 || counter > MAX_COUNTER) {
      counters.drop(Drop.MALFORMED, src, "counter out of range");
      return null;
    }
    SaltKeys k = keys.lookup(salt);
    if (k == null) {
      counters.drop(Drop.AWAITING_KEY, src, "salt " + salt);
      return null;
    }
    byte[] plain;
    try {
      Cipher c = ciphers.get();
      c.init(Cipher.DECRYPT_MODE, k.seal(), new GCMParameterSpec(TAG * 8, nonce(stream, counter)));
      c.updateAAD(a, off, CLEAR);
      plain = c.doFinal(a, off + CLEAR, len - CLEAR);
    } catch (AEADBadTagException e) {
      counters.drop(Drop.UNAUTHENTICATED, src, "salt " + salt);
      return null;
    } catch (GeneralSecurityException e) {
      counters.drop(Drop.MALFORMED, src, e.toString());
      return null;
    }
    long sentAt = ByteBuffer.wrap(plain, 0, 8).getLong();
    long skew = sentAt - wallMillis.getAsLong();
    if (Math.abs(skew) > FRESHNESS.toMillis()) {
      counters.drop(Drop.STALE, src, "sent " + describe(skew) + " this member's clock");
      return null;
    }
    Message inner;
    try {
      inner = Util.messageFromBuffer(plain, 8, plain.length - 8);
    } catch (Exception e) {
      counters.drop(Drop.MALFORMED, src, "sealed message does not decode: " + e);
      return null;
    }
    Address dest = inner.dest();
    if (!Objects.equals(inner.src(), src)
        || !Objects.equals(dest, outer.dest())
        || (dest != null && !forMe.test(dest))
        || inner.isFlagSet(Message.Flag.OOB) != outer.isFlagSet(Message.Flag.OOB)) {
      counters.drop(Drop.MALFORMED, src, "sealed addresses or flags differ from the frame's");
      return null;
    }
    long now = nanos.getAsLong();
    ReplayWindow w =
        windows.computeIfAbsent(new StreamKey(src, stream), key -> new ReplayWindow(now));
    ReplayWindow.Verdict v = w.accept(counter, now);
    if (v != ReplayWindow.Verdict.FRESH) {
      counters.drop(Drop.REPLAYED, src, v == ReplayWindow.Verdict.DUPLICATE ? "duplicate" : "old");
      return null;
    }
    keys.heardFrom(src, salt, dest == null);
    return inner;
  }

  private static String describe(long skewMillis) {
    long s = Math.abs(skewMillis) / 1000;
    return s + " s " + (skewMillis > 0 ? "ahead of" : "behind");
  }

  private void sweepIdleWindows() {
    long now = nanos.getAsLong();
    long last = sweptAt.get();
    if (now - last < SWEEP_EVERY_NANOS || !sweptAt.compareAndSet(last, now)) {
      return;
    }
    windows.values().removeIf(w -> now - w.usedAt() > WINDOW_KEPT_NANOS);
  }

  /** Replay windows kept (one per sender stream heard from recently). */
  int windows() {
    return windows.size();
  }
}
