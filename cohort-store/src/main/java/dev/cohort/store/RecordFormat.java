package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Cohort's own binary format for a stored session: never Java serialization. Attribute values stay
 * opaque bytes.
 *
 * <pre>
 * header:  magic "CHS" 0x1A | format 1 | version i64 | creation i64 | lastAccess i64
 *          | maxInactive i32 | isNew u8 | idLength u16 | id (ASCII)
 * body:    authType (str?) | principal (bytes?) | notes (map) | attributes (map)
 * trailer: CRC32C of everything before it (i32)
 * str?  = i32 length (-1 = null) + UTF-8;  bytes? = i32 length (-1 = null) + bytes
 * map   = i32 count + count * (name: u16 length + UTF-8, value: i32 length + bytes)
 * </pre>
 *
 * Every length is checked against its limit and against the bytes that remain, so a corrupt or
 * hostile file is a {@link MalformedRecordException}, never an OutOfMemoryError.
 */
final class RecordFormat {
  static final int MAGIC = 0x4348531A;
  static final byte FORMAT = 1;

  /** Bytes before the id: magic, format, version, creation, lastAccess, maxInactive, isNew, len. */
  static final int FIXED_HEADER = 4 + 1 + 8 + 8 + 8 + 4 + 1 + 2;

  static final int MAX_HEADER = FIXED_HEADER + SessionIds.MAX_LENGTH;
  static final int MAX_NAME_BYTES = 65_535;
  static final int MAX_ENTRIES = 1_000_000;
  static final int MAX_STRING_BYTES = 65_535;

  private RecordFormat() {}

  /** The part of a stored record that expiry and listing need, read without the body. */
  record Header(long version, long lastAccessedTime, int maxInactiveSeconds, String id) {
    boolean isExpired(long nowMillis) {
      return maxInactiveSeconds > 0 && nowMillis - lastAccessedTime >= maxInactiveSeconds * 1000L;
    }
  }

  static final class MalformedRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedRecordException(String message) {
      super(message);
    }
  }

  static byte[] encode(SessionRecord r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + (int) r.valueBytes());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      byte[] id = r.id().getBytes(StandardCharsets.US_ASCII);
      out.writeInt(MAGIC);
      out.writeByte(FORMAT);
      out.writeLong(r.version());
      out.writeLong(r.creationTime());
      out.writeLong(r.lastAccessedTime());
      out.writeInt(r.maxInactiveSeconds());
      out.writeByte(r.isNew() ? 1 : 0);
      out.writeShort(id.length);
      out.write(id);
      writeNullableString(out, r.authType());
      writeNullableBytes(out, r.principal());
      writeMap(out, r.notes());
      writeMap(out, r.attributes());
      out.flush();
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static SessionRecord decode(byte[] data) throws MalformedRecordException {
    if (data.length < FIXED_HEADER + 4) {
      throw new MalformedRecordException("shorter than a header (" + data.length + " bytes)");
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    int stored = ByteBuffer.wrap(data, data.length - 4, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw new MalformedRecordException("checksum mismatch (" + data.length + " bytes)");
    }
    ByteBuffer in = ByteBuffer.wrap(data, 0, data.length - 4);
    try {
      Header h = readHeader(in);
      long creation = in.getLong(4 + 1 + 8);
      boolean isNew = in.get(FIXED_HEADER - 3) == 1;
      String authType = readNullableString(in);
      byte[] principal = readNullableBytes(in);
      Map<String, byte[]> notes = readMap(in);
      Map<String, byte[]> attributes = readMap(in);
      if (in.hasRemaining()) {
        throw new MalformedRecordException(in.remaining() + " trailing bytes");
      }
      return new SessionRecord(
          h.id(),
          h.version(),
          creation,
          h.lastAccessedTime(),
          h.maxInactiveSeconds(),
          isNew,
          authType,
          principal,
          notes,
          attributes);
    } catch (BufferUnderflowException e) {
      throw new MalformedRecordException("truncated (" + data.length + " bytes)");
    }
  }

  /** Reads the header from the start of {@code in} (at least {@link #MAX_HEADER} bytes or all). */
  static Header readHeader(ByteBuffer in) throws MalformedRecordException {
    try {
      if (in.getInt() != MAGIC) {
        throw new MalformedRecordException("not a Cohort session record (bad magic)");
      }
      byte format = in.get();
      if (format != FORMAT) {
        throw new MalformedRecordException("unknown format " + format + " (this build reads 1)");
      }
      long version = in.getLong();
      in.getLong(); // creation
      long lastAccess = in.getLong();
      int maxInactive = in.getInt();
      in.get(); // isNew
      int idLength = Short.toUnsignedInt(in.getShort());
      if (idLength > SessionIds.MAX_LENGTH) {
        throw new MalformedRecordException("id length " + idLength + " over the limit");
      }
      byte[] id = new byte[idLength];
      in.get(id);
      String s = new String(id, StandardCharsets.US_ASCII);
      if (!SessionIds.isValid(s)) {
        throw new MalformedRecordException("invalid id in record");
      }
      return new Header(version, lastAccess, maxInactive, s);
    } catch (BufferUnderflowException e) {
      throw new MalformedRecordException("truncated header");
    }
  }

  static byte[] encodeMap(Map<String, byte[]> map) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeMap(out, map);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Map<String, byte[]> decodeMap(byte[] data) throws MalformedRecordException {
    ByteBuffer in = ByteBuffer.wrap(data);
    try {
      Map<String, byte[]> map = readMap(in);
      if (in.hasRemaining()) {
        throw new MalformedRecordException(in.remaining() + " trailing bytes after a map");
      }
      return map;
    } catch (BufferUnderflowException e) {
      throw new MalformedRecordException("truncated map");
    }
  }

  private static void writeNullableString(DataOutputStream out, String s) throws IOException {
    writeNullableBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeNullableBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static void writeMap(DataOutputStream out, Map<String, byte[]> map) throws IOException {
    out.writeInt(map.size());
    for (Map.Entry<String, byte[]> e : map.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      if (name.length > MAX_NAME_BYTES) {
        throw new IllegalArgumentException(
            "store: attribute name of "
                + name.length
                + " UTF-8 bytes is over the limit of "
                + MAX_NAME_BYTES
                + " — use a shorter name");
      }
      out.writeShort(name.length);
      out.write(name);
      out.writeInt(e.getValue().length);
      out.write(e.getValue());
    }
  }

  private static String readNullableString(ByteBuffer in) throws MalformedRecordException {
    int n = in.getInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > MAX_STRING_BYTES || n > in.remaining()) {
      throw new MalformedRecordException("bad string length " + n);
    }
    return utf8(in, n);
  }

  private static byte[] readNullableBytes(ByteBuffer in) throws MalformedRecordException {
    int n = in.getInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > in.remaining()) {
      throw new MalformedRecordException("bad byte length " + n);
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  private static Map<String, byte[]> readMap(ByteBuffer in) throws MalformedRecordException {
    int count = in.getInt();
    // each entry takes at least 6 bytes, so a count the data cannot hold is rejected up front
    if (count < 0 || count > MAX_ENTRIES || count > in.remaining() / 6) {
      throw new MalformedRecordException("bad entry count " + count);
    }
    Map<String, byte[]> map = new HashMap<>(Math.max(4, count * 2));
    for (int i = 0; i < count; i++) {
      int nameLength = Short.toUnsignedInt(in.getShort());
      if (nameLength > in.remaining()) {
        throw new MalformedRecordException("bad name length " + nameLength);
      }
      String name = utf8(in, nameLength);
      byte[] value = readNullableBytes(in);
      if (value == null || map.put(name, value) != null) {
        throw new MalformedRecordException("null or duplicate entry");
      }
    }
    return map;
  }

  private static String utf8(ByteBuffer in, int n) throws MalformedRecordException {
    ByteBuffer slice = in.slice(in.position(), n);
    in.position(in.position() + n);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice)
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedRecordException("invalid UTF-8");
    }
  }
}
