package dev.cohort.jgroups;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire format of {@link Frame}s: a version byte, a kind byte, the kind's fixed fields, then the
 * payload to the end of the message. Strings are a 2-byte length and UTF-8 bytes. No Java
 * serialization anywhere.
 *
 * <pre>
 *   MSG     1 | 1 | payload
 *   REQUEST 1 | 2 | id:8 | payload
 *   REPLY   1 | 3 | id:8 | payload
 *   FAILURE 1 | 4 | id:8 | message:str
 *   CHUNK   1 | 5 | stream:8 | seq:8 | last:1 | topic:str | payload
 *   ACK     1 | 6 | stream:8 | seq:8 | ok:1 | [error:str]
 * </pre>
 */
final class FrameCodec {
  static final byte VERSION = 1;
  private static final byte MSG = 1;
  private static final byte REQUEST = 2;
  private static final byte REPLY = 3;
  private static final byte FAILURE = 4;
  private static final byte CHUNK = 5;
  private static final byte ACK = 6;
  private static final int MAX_STRING = 4096;

  private FrameCodec() {}

  /** Thrown for bytes that are not a frame; the caller drops and counts. */
  static final class MalformedFrameException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedFrameException(String message) {
      super(message);
    }
  }

  static byte[] encode(Frame f) {
    if (f instanceof Frame.Msg m) {
      return ByteBuffer.allocate(2 + m.payload().length)
          .put(VERSION)
          .put(MSG)
          .put(m.payload())
          .array();
    }
    if (f instanceof Frame.Request r) {
      return ByteBuffer.allocate(10 + r.payload().length)
          .put(VERSION)
          .put(REQUEST)
          .putLong(r.id())
          .put(r.payload())
          .array();
    }
    if (f instanceof Frame.Reply r) {
      return ByteBuffer.allocate(10 + r.payload().length)
          .put(VERSION)
          .put(REPLY)
          .putLong(r.id())
          .put(r.payload())
          .array();
    }
    if (f instanceof Frame.Failure r) {
      byte[] s = utf(r.message());
      return ByteBuffer.allocate(12 + s.length)
          .put(VERSION)
          .put(FAILURE)
          .putLong(r.id())
          .putShort((short) s.length)
          .put(s)
          .array();
    }
    if (f instanceof Frame.Chunk c) {
      byte[] t = utf(c.topic());
      return ByteBuffer.allocate(21 + t.length + c.payload().length)
          .put(VERSION)
          .put(CHUNK)
          .putLong(c.streamId())
          .putLong(c.seq())
          .put((byte) (c.last() ? 1 : 0))
          .putShort((short) t.length)
          .put(t)
          .put(c.payload())
          .array();
    }
    Frame.Ack a = (Frame.Ack) f;
    byte[] e = a.error() == null ? null : utf(a.error());
    ByteBuffer b = ByteBuffer.allocate(19 + (e == null ? 0 : 2 + e.length));
    b.put(VERSION).put(ACK).putLong(a.streamId()).putLong(a.seq()).put((byte) (e == null ? 1 : 0));
    if (e != null) {
      b.putShort((short) e.length).put(e);
    }
    return b.array();
  }

  static Frame decode(byte[] buf, int offset, int length) throws MalformedFrameException {
    if (length < 2) {
      throw new MalformedFrameException("frame of " + length + " bytes is shorter than its header");
    }
    ByteBuffer b = ByteBuffer.wrap(buf, offset, length);
    byte version = b.get();
    if (version != VERSION) {
      throw new MalformedFrameException("unknown frame version " + version);
    }
    byte kind = b.get();
    try {
      Frame f =
          switch (kind) {
            case MSG -> new Frame.Msg(rest(b));
            case REQUEST -> new Frame.Request(b.getLong(), rest(b));
            case REPLY -> new Frame.Reply(b.getLong(), rest(b));
            case FAILURE -> new Frame.Failure(b.getLong(), string(b));
            case CHUNK -> new Frame.Chunk(b.getLong(), b.getLong(), bool(b), string(b), rest(b));
            case ACK -> {
              long stream = b.getLong();
              long seq = b.getLong();
              yield new Frame.Ack(stream, seq, bool(b) ? null : string(b));
            }
            default -> throw new MalformedFrameException("unknown frame kind " + kind);
          };
      if (b.hasRemaining()) {
        throw new MalformedFrameException(b.remaining() + " trailing bytes after the frame");
      }
      return f;
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("frame of kind " + kind + " is truncated");
    }
  }

  private static byte[] rest(ByteBuffer b) {
    byte[] out = Arrays.copyOfRange(b.array(), b.position(), b.limit());
    b.position(b.limit());
    return out;
  }

  private static boolean bool(ByteBuffer b) throws MalformedFrameException {
    byte v = b.get();
    if (v != 0 && v != 1) {
      throw new MalformedFrameException("flag byte " + v + " is neither 0 nor 1");
    }
    return v == 1;
  }

  private static String string(ByteBuffer b) throws MalformedFrameException {
    int len = Short.toUnsignedInt(b.getShort());
    if (len > MAX_STRING || len > b.remaining()) {
      throw new MalformedFrameException("string of " + len + " bytes exceeds the frame");
    }
    byte[] s = new byte[len];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static byte[] utf(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= MAX_STRING) {
      return b;
    }
    return Arrays.copyOf(b, MAX_STRING); // a truncated error message is still useful
  }
}
