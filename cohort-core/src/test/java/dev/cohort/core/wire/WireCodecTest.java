package dev.cohort.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireCodecTest {
  final WireCodec codec = new WireCodec(1 << 20, 1 << 19);

  static SessionRecord record() {
    return new SessionRecord(
        "0123456789abcdef0123456789abcdef",
        42,
        1_767_225_600_000L,
        1_767_225_660_000L,
        1800,
        false,
        "FORM",
        new byte[] {7, 7},
        Map.of("org.apache.catalina.authenticator.REQUEST", new byte[] {1, 2}),
        Map.of("cart", new byte[] {3, 4, 5}, "empty", new byte[0]));
  }

  static List<Op> everyOp() {
    return List.of(
        new Op.Full(record(), "n1"),
        new Op.Delta(
            "s",
            9,
            123456789L,
            60,
            false,
            true,
            null,
            true,
            new byte[] {1},
            Map.of("note", new byte[] {2}),
            List.of(
                new AttributeChange.Set("a", new byte[] {1, 2}),
                new AttributeChange.Patch("b", 3, 1, new byte[] {9}),
                new AttributeChange.Remove("c")),
            0),
        Deltas.ofChanges("s", 3, 99, List.of()),
        new Op.Touch("s", 3, 1000),
        new Op.Remove("s", -1, false),
        new Op.Remove("s", 17, true),
        new Op.OwnerChanged("s", "n2", 8),
        new Op.Drop("s", 4),
        new Op.NeedFull("s"),
        new Op.Claim("s", List.of("n2", "n3")),
        new Op.StateRequest(),
        new Op.Expect(100_000));
  }

  @Test
  void everyOperationSurvivesTheRoundTrip() throws Exception {
    byte[] bytes = codec.encode(new Frame(everyOp()));
    Frame back = codec.decode(bytes);
    assertThat(back.ops()).hasSameSizeAs(everyOp());
    // records with byte arrays: compare by re-encoding
    assertThat(codec.encode(back)).isEqualTo(bytes);
    Op.Full full = (Op.Full) back.ops().get(0);
    assertThat(full.record().attributes().get("cart")).containsExactly(3, 4, 5);
    assertThat(full.record().principal()).containsExactly(7, 7);
    assertThat(full.record().authType()).isEqualTo("FORM");
    Op.Delta d = (Op.Delta) back.ops().get(1);
    assertThat(d.authChanged()).isTrue();
    assertThat(d.authType()).isNull();
    assertThat(d.isNew()).isFalse();
    assertThat(d.maxInactiveSeconds()).isEqualTo(60);
    assertThat(((Op.Remove) back.ops().get(4)).version()).isEqualTo(-1);
    assertThat(((Op.Claim) back.ops().get(9)).newHolders()).containsExactly("n2", "n3");
  }

  @Test
  void counterIncrementDeltaIsSmall() throws Exception {
    AttributeCodec attrs = AttributeCodec.defaults();
    byte[] before = attrs.serialize("count", 41);
    byte[] after = attrs.serialize("count", 42);
    assertThat(before).hasSize(81);
    AttributeChange.Patch patch = AttributeChange.Patch.between("count", before, after);
    assertThat(patch.middle()).hasSize(1);
    assertThat(patch.apply(before)).isEqualTo(after);
    Op.Delta delta =
        Deltas.ofChanges(
            "0123456789ABCDEF0123456789ABCDEF", 41, 1_767_225_660_000L, List.of(patch));
    byte[] frame = codec.encode(Frame.of(delta));
    // version 1 + count 1 + tag 1 + id 33 + base 1 + term 1 + access time 6 + flags 1 + changes 1
    // + kind 1 + name 6 + prefix 1 + suffix 1 + middle 2
    assertThat(frame).hasSize(57);
    assertThat(frame.length).isLessThanOrEqualTo(120);
  }

  @Test
  void framesOfAnotherVersionAreRejected() {
    byte[] bytes = codec.encode(Frame.of(new Op.NeedFull("s")));
    bytes[0] = WireCodec.VERSION + 1;
    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("version");
  }

  @Test
  void oversizedFramesAreRejectedBeforeDecoding() {
    WireCodec small = new WireCodec(1024, 1024);
    assertThatThrownBy(() -> small.decode(new byte[1025]))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("maxFrameBytes");
  }

  @Test
  void sessionsOverMaxSessionBytesAreRejected() {
    WireCodec big = new WireCodec(1 << 20, 1 << 19);
    WireCodec strict = new WireCodec(1 << 20, 1024);
    SessionRecord r =
        new SessionRecord(
            "s", 1, 1, 1, 60, false, null, null, Map.of(), Map.of("big", new byte[2000]));
    byte[] bytes = big.encode(Frame.of(new Op.Full(r, "n1")));
    assertThatThrownBy(() -> strict.decode(bytes))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("maxSessionBytes");
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] bytes = codec.encode(new Frame(everyOp()));
    for (int n = 0; n < bytes.length; n++) {
      byte[] cut = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> codec.decode(cut)).isInstanceOf(MalformedFrameException.class);
    }
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] bytes = codec.encode(Frame.of(new Op.NeedFull("s")));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> codec.decode(longer)).isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void randomBytesNeverThrowAnythingButMalformedFrame() {
    long seed = System.nanoTime();
    System.out.println("randomBytesNeverThrowAnythingButMalformedFrame seed " + seed);
    Random rnd = new Random(seed);
    byte[] valid = codec.encode(new Frame(everyOp()));
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        if (b.length > 0 && rnd.nextBoolean()) {
          b[0] = WireCodec.VERSION;
        }
      } else {
        b = valid.clone();
        for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      try {
        codec.decode(b);
      } catch (MalformedFrameException expected) {
        // dropped and counted by the engine
      } catch (RuntimeException | Error e) {
        fail("seed " + seed + ", input " + i + ": " + e, e);
      }
    }
  }
}
