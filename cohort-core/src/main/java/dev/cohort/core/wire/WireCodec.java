package dev.cohort.core.wire;

import dev.cohort.core.session.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Cohort's own binary format for {@link Frame}s: a version byte, a count, then each operation as a
 * tag byte and its fields. Integers are unsigned LEB128 varints (times and versions take 1 to 6
 * bytes), strings are UTF-8 with a varint length, byte arrays the same.
 *
 * <p>This class is the one place where wire tags map to records. Every length read from the network
 * is checked against the frame's remaining bytes and the configured limits before anything is
 * allocated, so a hostile or damaged frame costs at most its own size and ends in a {@link
 * MalformedFrameException}, never another exception.
 *
 * <p>Thread-safe and immutable.
 */
public final class WireCodec {

  /** The format version; a frame with another version is dropped. */
  public static final byte VERSION = 2;

  static final int MAX_STRING_BYTES = 4096;
  static final int MAX_NAMES = 1 << 16;

  private static final byte FULL = 1;
  private static final byte DELTA = 2;
  private static final byte TOUCH = 3;
  private static final byte REMOVE = 4;
  private static final byte OWNER_CHANGED = 5;
  private static final byte DROP = 6;
  private static final byte NEED_FULL = 7;
  private static final byte CLAIM = 8;
  private static final byte STATE_REQUEST = 9;
  private static final byte EXPECT = 10;

  private static final byte CHANGE_SET = 0;
  private static final byte CHANGE_PATCH = 1;
  private static final byte CHANGE_REMOVE = 2;

  private final int maxFrameBytes;
  private final int maxSessionBytes;

  /**
   * Attribute and note names, and members' route names, repeat across sessions: replicas keep one
   * copy of each (bounded, so hostile frames cannot grow it without limit).
   */
  private static final Names NAMES = new Names(10_000);

  private static final class Names {
    private final java.util.concurrent.ConcurrentHashMap<String, String> map =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final int max;

    Names(int max) {
      this.max = max;
    }

    String intern(String s) {
      String known = map.get(s);
      if (known != null) {
        return known;
      }
      if (map.size() < max) {
        String prev = map.putIfAbsent(s, s);
        return prev != null ? prev : s;
      }
      return s;
    }
  }

  public WireCodec(int maxFrameBytes, int maxSessionBytes) {
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " is below 64");
    }
    if (maxSessionBytes < 1 || maxSessionBytes > maxFrameBytes) {
      throw new IllegalArgumentException(
          "maxSessionBytes: " + maxSessionBytes + " must be between 1 and maxFrameBytes");
    }
    this.maxFrameBytes = maxFrameBytes;
    this.maxSessionBytes = maxSessionBytes;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  // ---------------------------------------------------------------- encoding

  public byte[] encode(Frame frame) {
    Out out = new Out(64);
    out.b(VERSION);
    out.uv(frame.ops().size());
    for (Op op : frame.ops()) {
      write(out, op);
    }
    return out.bytes();
  }

  /** The encoded size of one operation (for batching into chunks). */
  public int sizeOf(Op op) {
    Out out = new Out(64);
    write(out, op);
    return out.len;
  }

  private void write(Out o, Op op) {
    if (op instanceof Op.Full f) {
      o.b(FULL);
      writeRecord(o, f.record());
      o.str(f.owner());
      o.uv(f.term());
    } else if (op instanceof Op.Delta d) {
      o.b(DELTA);
      writeDelta(o, d);
    } else if (op instanceof Op.Touch t) {
      o.b(TOUCH);
      o.str(t.id());
      o.uv(t.version());
      o.uv(t.lastAccessedTime());
    } else if (op instanceof Op.Remove r) {
      o.b(REMOVE);
      o.str(r.id());
      o.uv(r.version() + 1); // -1 (any version) encodes as 0
      o.b(r.expired() ? 1 : 0);
    } else if (op instanceof Op.OwnerChanged c) {
      o.b(OWNER_CHANGED);
      o.str(c.id());
      o.str(c.owner());
      o.uv(c.version());
      o.uv(c.term());
    } else if (op instanceof Op.Drop d) {
      o.b(DROP);
      o.str(d.id());
      o.uv(d.version());
    } else if (op instanceof Op.NeedFull n) {
      o.b(NEED_FULL);
      o.str(n.id());
    } else if (op instanceof Op.Claim c) {
      o.b(CLAIM);
      o.str(c.id());
      o.uv(c.newHolders().size());
      for (String h : c.newHolders()) {
        o.str(h);
      }
    } else if (op instanceof Op.StateRequest) {
      o.b(STATE_REQUEST);
    } else if (op instanceof Op.Expect e) {
      o.b(EXPECT);
      o.uv(e.count());
    } else {
      throw new IllegalStateException("no wire tag for " + op.getClass().getName());
    }
  }

  private static void writeRecord(Out o, SessionRecord r) {
    o.str(r.id());
    o.uv(r.version());
    o.uv(r.creationTime());
    o.uv(r.lastAccessedTime());
    o.sv(r.maxInactiveSeconds());
    int flags =
        (r.isNew() ? 1 : 0) | (r.authType() != null ? 2 : 0) | (r.principal() != null ? 4 : 0);
    o.b(flags);
    if (r.authType() != null) {
      o.str(r.authType());
    }
    if (r.principal() != null) {
      o.arr(r.principal());
    }
    writeMap(o, r.notes());
    writeMap(o, r.attributes());
  }

  private static void writeDelta(Out o, Op.Delta d) {
    o.str(d.id());
    o.uv(d.baseVersion());
    o.uv(d.term());
    o.uv(d.lastAccessedTime());
    int flags =
        (d.maxInactiveSeconds() != null ? 1 : 0)
            | (d.isNew() != null ? 2 : 0)
            | (d.isNew() != null && d.isNew() ? 4 : 0)
            | (d.authChanged() ? 8 : 0)
            | (d.authChanged() && d.authType() != null ? 16 : 0)
            | (d.principalChanged() ? 32 : 0)
            | (d.principalChanged() && d.principal() != null ? 64 : 0)
            | (d.notes() != null ? 128 : 0);
    o.b(flags);
    if (d.maxInactiveSeconds() != null) {
      o.sv(d.maxInactiveSeconds());
    }
    if (d.authChanged() && d.authType() != null) {
      o.str(d.authType());
    }
    if (d.principalChanged() && d.principal() != null) {
      o.arr(d.principal());
    }
    if (d.notes() != null) {
      writeMap(o, d.notes());
    }
    o.uv(d.changes().size());
    for (AttributeChange c : d.changes()) {
      if (c instanceof AttributeChange.Set s) {
        o.b(CHANGE_SET);
        o.str(s.name());
        o.arr(s.value());
      } else if (c instanceof AttributeChange.Patch p) {
        o.b(CHANGE_PATCH);
        o.str(p.name());
        o.uv(p.prefix());
        o.uv(p.suffix());
        o.arr(p.middle());
      } else if (c instanceof AttributeChange.Remove r) {
        o.b(CHANGE_REMOVE);
        o.str(r.name());
      }
    }
  }

  private static void writeMap(Out o, Map<String, byte[]> m) {
    o.uv(m.size());
    for (Map.Entry<String, byte[]> e : m.entrySet()) {
      o.str(e.getKey());
      o.arr(e.getValue());
    }
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes a frame.
   *
   * @throws MalformedFrameException when the frame is too large, of another version, truncated, has
   *     trailing bytes, an unknown tag, or a length beyond the limits
   */
  public Frame decode(byte[] bytes) throws MalformedFrameException {
    if (bytes == null || bytes.length == 0) {
      throw new MalformedFrameException("empty frame");
    }
    if (bytes.length > maxFrameBytes) {
      throw new MalformedFrameException(
          "frame of " + bytes.length + " bytes is over maxFrameBytes " + maxFrameBytes);
    }
    In in = new In(bytes);
    int v = in.b();
    if (v != VERSION) {
      throw new MalformedFrameException("unknown frame version " + v);
    }
    int n = in.count(1);
    List<Op> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ops.add(read(in));
    }
    if (in.pos != bytes.length) {
      throw new MalformedFrameException((bytes.length - in.pos) + " trailing bytes");
    }
    return new Frame(ops);
  }

  private Op read(In in) throws MalformedFrameException {
    int tag = in.b();
    switch (tag) {
      case FULL:
        return new Op.Full(readRecord(in), NAMES.intern(in.str()), in.uv());
      case DELTA:
        return readDelta(in);
      case TOUCH:
        return new Op.Touch(in.str(), in.uvl(), in.uvl());
      case REMOVE:
        return new Op.Remove(in.str(), in.uvl() - 1, in.bool());
      case OWNER_CHANGED:
        return new Op.OwnerChanged(in.str(), NAMES.intern(in.str()), in.uvl(), in.uv());
      case DROP:
        return new Op.Drop(in.str(), in.uvl());
      case NEED_FULL:
        return new Op.NeedFull(in.str());
      case CLAIM:
        {
          String id = in.str();
          int k = in.count(1);
          List<String> holders = new ArrayList<>(k);
          for (int i = 0; i < k; i++) {
            holders.add(NAMES.intern(in.str()));
          }
          return new Op.Claim(id, holders);
        }
      case STATE_REQUEST:
        return new Op.StateRequest();
      case EXPECT:
        return new Op.Expect(in.uvl());
      default:
        throw new MalformedFrameException("unknown operation tag " + tag);
    }
  }

  private SessionRecord readRecord(In in) throws MalformedFrameException {
    String id = in.str();
    long version = in.uvl();
    long created = in.uvl();
    long accessed = in.uvl();
    int maxInactive = in.sv();
    int flags = in.b();
    String authType = (flags & 2) != 0 ? NAMES.intern(in.str()) : null;
    Budget budget = new Budget(maxSessionBytes);
    byte[] principal = (flags & 4) != 0 ? in.arr(budget) : null;
    Map<String, byte[]> notes = readMap(in, budget);
    Map<String, byte[]> attributes = readMap(in, budget);
    return new SessionRecord(
        id,
        version,
        created,
        accessed,
        maxInactive,
        (flags & 1) != 0,
        authType,
        principal,
        notes,
        attributes);
  }

  private Op.Delta readDelta(In in) throws MalformedFrameException {
    String id = in.str();
    long base = in.uvl();
    int term = in.uv();
    long accessed = in.uvl();
    int flags = in.b();
    Budget budget = new Budget(maxSessionBytes);
    Integer maxInactive = (flags & 1) != 0 ? in.sv() : null;
    Boolean isNew = (flags & 2) != 0 ? (flags & 4) != 0 : null;
    boolean authChanged = (flags & 8) != 0;
    String authType = (flags & 16) != 0 ? NAMES.intern(in.str()) : null;
    boolean principalChanged = (flags & 32) != 0;
    byte[] principal = (flags & 64) != 0 ? in.arr(budget) : null;
    Map<String, byte[]> notes = (flags & 128) != 0 ? readMap(in, budget) : null;
    int n = in.count(2);
    List<AttributeChange> changes = new ArrayList<>(n);
    HashSet<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int kind = in.b();
      String name = in.str();
      if (!seen.add(name)) {
        throw new MalformedFrameException("attribute changed twice in one delta");
      }
      switch (kind) {
        case CHANGE_SET:
          changes.add(new AttributeChange.Set(name, in.arr(budget)));
          break;
        case CHANGE_PATCH:
          {
            int prefix = in.uv();
            int suffix = in.uv();
            if ((long) prefix + suffix > maxSessionBytes) {
              throw new MalformedFrameException("patch beyond maxSessionBytes");
            }
            changes.add(new AttributeChange.Patch(name, prefix, suffix, in.arr(budget)));
            break;
          }
        case CHANGE_REMOVE:
          changes.add(new AttributeChange.Remove(name));
          break;
        default:
          throw new MalformedFrameException("unknown attribute change kind " + kind);
      }
    }
    return new Op.Delta(
        id,
        base,
        accessed,
        maxInactive,
        isNew,
        authChanged,
        authType,
        principalChanged,
        principal,
        notes,
        changes,
        term);
  }

  private static Map<String, byte[]> readMap(In in, Budget budget) throws MalformedFrameException {
    int n = in.count(2);
    if (n > MAX_NAMES) {
      throw new MalformedFrameException("more than " + MAX_NAMES + " names in a session");
    }
    Map<String, byte[]> m = new HashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      String k = NAMES.intern(in.str());
      if (m.put(k, in.arr(budget)) != null) {
        throw new MalformedFrameException("duplicate name in a session map");
      }
    }
    return m;
  }

  /** Bytes of values left for one session (maxSessionBytes). */
  private static final class Budget {
    long left;

    Budget(long left) {
      this.left = left;
    }

    void take(int n) throws MalformedFrameException {
      left -= n;
      if (left < 0) {
        throw new MalformedFrameException("session values over maxSessionBytes");
      }
    }
  }

  /** A growable byte buffer with varint writers. */
  private static final class Out {
    byte[] buf;
    int len;

    Out(int cap) {
      buf = new byte[cap];
    }

    void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    void b(int v) {
      ensure(1);
      buf[len++] = (byte) v;
    }

    void uv(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("negative varint " + v);
      }
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }

    void sv(int v) {
      uv(((v << 1) ^ (v >> 31)) & 0xFFFFFFFFL);
    }

    void arr(byte[] a) {
      uv(a.length);
      ensure(a.length);
      System.arraycopy(a, 0, buf, len, a.length);
      len += a.length;
    }

    void str(String s) {
      arr(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, len);
    }
  }

  /** A bounds-checked reader. */
  private static final class In {
    final byte[] buf;
    int pos;

    In(byte[] buf) {
      this.buf = buf;
    }

    int b() throws MalformedFrameException {
      if (pos >= buf.length) {
        throw new MalformedFrameException("truncated frame");
      }
      return buf[pos++] & 0xFF;
    }

    boolean bool() throws MalformedFrameException {
      int v = b();
      if (v > 1) {
        throw new MalformedFrameException("bad boolean " + v);
      }
      return v == 1;
    }

    long uvl() throws MalformedFrameException {
      long v = 0;
      for (int shift = 0; shift < 63; shift += 7) {
        int x = b();
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new MalformedFrameException("varint too long");
    }

    int uv() throws MalformedFrameException {
      long v = uvl();
      if (v > Integer.MAX_VALUE) {
        throw new MalformedFrameException("varint out of int range");
      }
      return (int) v;
    }

    int sv() throws MalformedFrameException {
      long v = uvl();
      if (v > 0xFFFFFFFFL) {
        throw new MalformedFrameException("varint out of int range");
      }
      int u = (int) v;
      return (u >>> 1) ^ -(u & 1);
    }

    /** A count of items of at least {@code minBytes} each, bounded by the bytes left. */
    int count(int minBytes) throws MalformedFrameException {
      int n = uv();
      if ((long) n * minBytes > buf.length - pos) {
        throw new MalformedFrameException("count " + n + " beyond the frame's end");
      }
      return n;
    }

    byte[] arr(Budget budget) throws MalformedFrameException {
      int n = uv();
      if (n > buf.length - pos) {
        throw new MalformedFrameException("length " + n + " beyond the frame's end");
      }
      budget.take(n);
      byte[] a = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return a;
    }

    String str() throws MalformedFrameException {
      int n = uv();
      if (n > MAX_STRING_BYTES || n > buf.length - pos) {
        throw new MalformedFrameException("string of " + n + " bytes beyond the limits");
      }
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }
  }
}
