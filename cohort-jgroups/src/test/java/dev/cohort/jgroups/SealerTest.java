package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.jgroups.SealCounters.Drop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.GMS.GmsHeader;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SealerTest {
  private static final String SECRET = "correct horse battery staple";
  private static final short GMS_ID = ClassConfigurator.getProtocolId(GMS.class);
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final AtomicLong nanos = new AtomicLong();
  private final ClusterKeys keys = new ClusterKeys(SECRET, "c1", "test-kdf", nanos::get, 1000);
  private final Address a = UUID.randomUUID();
  private final Address b = UUID.randomUUID();
  private final Sealer sender = sealer(keys);
  private final SealCounters bCounts = new SealCounters("b", nanos::get);
  private final Sealer receiver = new Sealer(keys, bCounts, wall::get, nanos::get);

  @AfterEach
  void close() {
    keys.close();
  }

  private Sealer sealer(ClusterKeys k) {
    return new Sealer(k, new SealCounters("x", nanos::get), wall::get, nanos::get);
  }

  private boolean forB(Address dest) {
    return dest.equals(b);
  }

  private Message join(String payload) {
    return new BytesMessage(b, payload.getBytes(StandardCharsets.UTF_8))
        .setSrc(a)
        .setFlag(Message.Flag.OOB)
        .putHeader(GMS_ID, new GmsHeader(GmsHeader.JOIN_REQ, a));
  }

  private static byte[] bytesOf(Message m) {
    byte[] out = new byte[m.getLength()];
    System.arraycopy(m.getArray(), m.getOffset(), out, 0, out.length);
    return out;
  }

  private static Message copyWith(Message outer, byte[] payload) {
    Message m = new BytesMessage(outer.dest(), payload).setSrc(outer.src());
    m.setFlag(outer.getFlags(false), false, false);
    return m;
  }

  @Test
  void sealedFrame_opensToTheWholeMessage_andShowsNothingButAddressesAndFlags() {
    Message outer = sender.seal(join("attribute-value-marker"), b);
    assertThat(outer.getHeaders()).isEmpty();
    assertThat(outer.dest()).isEqualTo(b);
    assertThat(outer.isFlagSet(Message.Flag.OOB)).isTrue();
    assertThat(new String(bytesOf(outer), StandardCharsets.ISO_8859_1))
        .doesNotContain("attribute-value-marker");

    Message inner = receiver.open(outer, a, this::forB);
    assertThat(inner).isNotNull();
    assertThat(inner.src()).isEqualTo(a);
    assertThat(inner.dest()).isEqualTo(b);
    assertThat(inner.isFlagSet(Message.Flag.OOB)).isTrue();
    assertThat(((GmsHeader) inner.getHeader(GMS_ID)).getType()).isEqualTo(GmsHeader.JOIN_REQ);
    assertThat(new String(bytesOf(inner), StandardCharsets.UTF_8))
        .isEqualTo("attribute-value-marker");
  }

  @Test
  void aFrameOpensOnce_itsReplayIsDroppedAndCounted() {
    Message outer = sender.seal(join("x"), b);
    assertThat(receiver.open(outer, a, this::forB)).isNotNull();
    assertThat(receiver.open(outer, a, this::forB)).isNull();
    assertThat(bCounts.count(Drop.REPLAYED)).isEqualTo(1);
  }

  @Test
  void framesOutOfOrder_openOnce_each() {
    Message first = sender.seal(join("1"), b);
    Message second = sender.seal(join("2"), b);
    assertThat(receiver.open(second, a, this::forB)).isNotNull();
    assertThat(receiver.open(first, a, this::forB)).isNotNull();
    assertThat(receiver.open(first, a, this::forB)).isNull();
    assertThat(bCounts.count(Drop.REPLAYED)).isEqualTo(1);
  }

  @Test
  void everySingleBitFlip_isDropped_andOneInTheSealedPartFailsAuthentication() {
    byte[] sealed = bytesOf(sender.seal(join("bit flips"), b));
    Message original = sender.seal(join("bit flips"), b);
    for (int bit = 0; bit < sealed.length * 8; bit++) {
      byte[] flipped = sealed.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(receiver.open(copyWith(original, flipped), a, this::forB))
          .as("bit %d flipped", bit)
          .isNull();
    }
    long sealedBits = (long) (sealed.length - Sealer.CLEAR) * 8;
    assertThat(bCounts.count(Drop.UNAUTHENTICATED)).isGreaterThanOrEqualTo(sealedBits);
    assertThat(bCounts.count(Drop.REPLAYED)).isZero();
    assertThat(receiver.open(copyWith(original, sealed), a, this::forB)).isNotNull();
  }

  @Test
  void aFrameSentTooLongAgo_orTooFarAhead_isStale() {
    Message old = sender.seal(join("old"), b);
    wall.addAndGet(Sealer.FRESHNESS.toMillis() + 1);
    assertThat(receiver.open(old, a, this::forB)).isNull();
    Message ahead = sender.seal(join("ahead"), b);
    wall.addAndGet(-2 * (Sealer.FRESHNESS.toMillis() + 1));
    assertThat(receiver.open(ahead, a, this::forB)).isNull();
    assertThat(bCounts.count(Drop.STALE)).isEqualTo(2);
    Message fine = sender.seal(join("fine"), b);
    wall.addAndGet(Sealer.FRESHNESS.toMillis() - 1);
    assertThat(receiver.open(fine, a, this::forB)).isNotNull();
  }

  @Test
  void aFrameUnderAnotherSource_orForAnotherMember_isMalformed() {
    Address c = UUID.randomUUID();
    Message outer = sender.seal(join("x"), b);
    assertThat(receiver.open(outer, c, this::forB)).isNull(); // outer source forged
    Message toC = new BytesMessage(c, new byte[] {1}).setSrc(a);
    Message sealedToC = sender.seal(toC, c);
    assertThat(receiver.open(sealedToC, a, this::forB)).isNull(); // replayed to b
    Message asMulticast = copyWith(sealedToC, bytesOf(sealedToC)).setDest(null);
    assertThat(receiver.open(asMulticast, a, this::forB)).isNull(); // resent as a multicast
    assertThat(bCounts.count(Drop.MALFORMED)).isEqualTo(3);
    assertThat(receiver.open(outer, a, this::forB)).isNotNull(); // the genuine one still opens
  }

  @Test
  void aSaltNotYetDerived_dropsTheFrame_untilItsKeysAreThere() {
    try (ClusterKeys other = new ClusterKeys(SECRET, "c1", "test-kdf-2", nanos::get, 1000)) {
      SealCounters counts = new SealCounters("other", nanos::get);
      Sealer otherReceiver = new Sealer(other, counts, wall::get, nanos::get);
      assertThat(otherReceiver.open(sender.seal(join("1"), b), a, this::forB)).isNull();
      assertThat(counts.count(Drop.AWAITING_KEY)).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> other.cached(keys.current()) != null);
      assertThat(otherReceiver.open(sender.seal(join("2"), b), a, this::forB)).isNotNull();
    }
  }

  @Test
  void anotherSecret_failsAuthentication() {
    try (ClusterKeys wrong =
        new ClusterKeys("not the right secret at all", "c1", "test-kdf-3", nanos::get, 1000)) {
      Message outer = sealer(wrong).seal(join("x"), b);
      keys.lookup(wrong.current());
      await().atMost(Duration.ofSeconds(10)).until(() -> keys.cached(wrong.current()) != null);
      assertThat(receiver.open(outer, a, this::forB)).isNull();
      assertThat(bCounts.count(Drop.UNAUTHENTICATED)).isEqualTo(1);
    }
  }

  @Test
  void aFrameWithoutASeal_failsAuthentication() {
    Message clear = join("plain text");
    assertThat(receiver.open(clear, a, this::forB)).isNull();
    assertThat(bCounts.count(Drop.UNAUTHENTICATED)).isEqualTo(1);
  }
}
