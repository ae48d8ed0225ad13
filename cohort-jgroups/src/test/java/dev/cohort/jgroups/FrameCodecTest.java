package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  private static Frame roundTrip(Frame f) throws Exception {
    byte[] b = FrameCodec.encode(f);
    return FrameCodec.decode(b, 0, b.length);
  }

  @Test
  void everyFrameKind_roundTrips() throws Exception {
    byte[] p = "payload".getBytes(StandardCharsets.UTF_8);
    assertThat(((Frame.Msg) roundTrip(new Frame.Msg(p))).payload()).isEqualTo(p);
    Frame.Request r = (Frame.Request) roundTrip(new Frame.Request(42, p));
    assertThat(r.id()).isEqualTo(42);
    assertThat(r.payload()).isEqualTo(p);
    Frame.Reply rep = (Frame.Reply) roundTrip(new Frame.Reply(43, new byte[0]));
    assertThat(rep.id()).isEqualTo(43);
    assertThat(rep.payload()).isEmpty();
    assertThat(roundTrip(new Frame.Failure(44, "boom é")))
        .isEqualTo(new Frame.Failure(44, "boom é"));
    Frame.Chunk c = (Frame.Chunk) roundTrip(new Frame.Chunk(7, 8, true, "state", p));
    assertThat(c.streamId()).isEqualTo(7);
    assertThat(c.seq()).isEqualTo(8);
    assertThat(c.last()).isTrue();
    assertThat(c.topic()).isEqualTo("state");
    assertThat(c.payload()).isEqualTo(p);
    assertThat(roundTrip(new Frame.Ack(7, 8, null))).isEqualTo(new Frame.Ack(7, 8, null));
    assertThat(roundTrip(new Frame.Ack(7, 9, "bad"))).isEqualTo(new Frame.Ack(7, 9, "bad"));
  }

  @Test
  void decodeRespectsOffsetAndLength() throws Exception {
    byte[] f = FrameCodec.encode(new Frame.Request(5, new byte[] {1, 2}));
    byte[] padded = new byte[f.length + 6];
    System.arraycopy(f, 0, padded, 3, f.length);
    Frame.Request r = (Frame.Request) FrameCodec.decode(padded, 3, f.length);
    assertThat(r.payload()).containsExactly(1, 2);
  }

  @Test
  void malformedFrames_areRejected_notCrashed() {
    assertThatThrownBy(() -> FrameCodec.decode(new byte[] {1}, 0, 1))
        .isInstanceOf(FrameCodec.MalformedFrameException.class);
    assertThatThrownBy(() -> FrameCodec.decode(new byte[] {9, 1}, 0, 2))
        .hasMessageContaining("version");
    assertThatThrownBy(() -> FrameCodec.decode(new byte[] {1, 99}, 0, 2))
        .hasMessageContaining("kind");
    assertThatThrownBy(() -> FrameCodec.decode(new byte[] {1, 2, 0, 0}, 0, 4))
        .hasMessageContaining("truncated");
    byte[] badString = {1, 4, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, 'x'};
    assertThatThrownBy(() -> FrameCodec.decode(badString, 0, badString.length))
        .hasMessageContaining("string");
  }

  @Test
  void randomGarbage_neverThrowsAnythingButMalformed() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[rnd.nextInt(64)];
      rnd.nextBytes(b);
      if (b.length > 0) {
        b[0] = FrameCodec.VERSION;
      }
      try {
        FrameCodec.decode(b, 0, b.length);
      } catch (FrameCodec.MalformedFrameException expected) {
        // fine
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": unexpected " + e, e);
      }
    }
  }
}
