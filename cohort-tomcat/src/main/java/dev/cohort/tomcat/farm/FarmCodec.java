package dev.cohort.tomcat.farm;

import dev.cohort.tomcat.farm.FarmMessage.Activate;
import dev.cohort.tomcat.farm.FarmMessage.Catalogue;
import dev.cohort.tomcat.farm.FarmMessage.GetCatalogue;
import dev.cohort.tomcat.farm.FarmMessage.GetReport;
import dev.cohort.tomcat.farm.FarmMessage.Has;
import dev.cohort.tomcat.farm.FarmMessage.Pull;
import dev.cohort.tomcat.farm.FarmMessage.Remove;
import dev.cohort.tomcat.farm.FarmMessage.Report;
import dev.cohort.tomcat.farm.FarmMessage.Result;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The farm's wire format: a format byte, a type byte, then the fields (strings as modified UTF-8
 * with a 2-byte length, so every string is at most 64 KiB). Lists hold at most {@link #MAX_APPS}
 * entries. A malformed frame throws {@link IllegalArgumentException}; nothing is Java-serialized.
 */
final class FarmCodec {
  static final int FORMAT = 1;
  static final int MAX_APPS = 10_000;
  private static final int MAX_TEXT = 2_000;

  private FarmCodec() {}

  static byte[] encode(FarmMessage m) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      if (m instanceof Has h) {
        out.writeByte(1);
        out.writeUTF(h.name());
        out.writeUTF(h.sha256());
      } else if (m instanceof Activate a) {
        out.writeByte(2);
        writeApp(out, a.app());
      } else if (m instanceof Remove r) {
        out.writeByte(3);
        writeApp(out, r.tombstone());
      } else if (m instanceof GetCatalogue) {
        out.writeByte(4);
      } else if (m instanceof Pull p) {
        out.writeByte(5);
        writeApp(out, p.app());
      } else if (m instanceof GetReport) {
        out.writeByte(6);
      } else if (m instanceof Result r) {
        out.writeByte(7);
        out.writeBoolean(r.ok());
        out.writeUTF(text(r.detail()));
      } else if (m instanceof Catalogue c) {
        out.writeByte(8);
        out.writeInt(c.apps().size());
        for (FarmApp a : c.apps()) {
          writeApp(out, a);
        }
      } else if (m instanceof Report r) {
        out.writeByte(9);
        out.writeUTF(r.node());
        out.writeBoolean(r.ready());
        out.writeInt(r.apps().size());
        for (NodeApp a : r.apps()) {
          writeNodeApp(out, a);
        }
      } else {
        throw new IllegalArgumentException("farm: no encoding for " + m.getClass().getSimpleName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static FarmMessage decode(byte[] frame) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "farm frame: format " + format + " is not " + FORMAT + " — run one Cohort version");
      }
      int type = in.readUnsignedByte();
      FarmMessage m =
          switch (type) {
            case 1 -> new Has(in.readUTF(), in.readUTF());
            case 2 -> new Activate(readApp(in));
            case 3 -> new Remove(readApp(in));
            case 4 -> new GetCatalogue();
            case 5 -> new Pull(readApp(in));
            case 6 -> new GetReport();
            case 7 -> new Result(in.readBoolean(), in.readUTF());
            case 8 -> {
              int n = count(in);
              List<FarmApp> apps = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                apps.add(readApp(in));
              }
              yield new Catalogue(apps);
            }
            case 9 -> {
              String node = in.readUTF();
              boolean ready = in.readBoolean();
              int n = count(in);
              List<NodeApp> apps = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                apps.add(readNodeApp(in));
              }
              yield new Report(node, ready, apps);
            }
            default -> throw new IllegalArgumentException("farm frame: unknown type " + type);
          };
      if (in.available() > 0) {
        throw new IllegalArgumentException("farm frame: " + in.available() + " trailing bytes");
      }
      return m;
    } catch (IOException e) {
      throw new IllegalArgumentException("farm frame: truncated (" + frame.length + " bytes)", e);
    }
  }

  /** Encodes one catalogue entry alone (the header chunk of a WAR stream, the catalogue file). */
  static byte[] encodeApp(FarmApp app) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      writeApp(out, app);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static FarmApp decodeApp(byte[] frame) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("farm header: format " + format + " is not " + FORMAT);
      }
      return readApp(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("farm header: truncated (" + frame.length + " bytes)", e);
    }
  }

  private static void writeApp(DataOutputStream out, FarmApp a) throws IOException {
    out.writeUTF(a.name());
    writeVersion(out, a.version());
    out.writeUTF(a.sha256());
    out.writeLong(a.size());
    out.writeBoolean(a.removed());
    out.writeByte(a.slot());
  }

  private static FarmApp readApp(DataInputStream in) throws IOException {
    return new FarmApp(
        in.readUTF(),
        readVersion(in),
        in.readUTF(),
        in.readLong(),
        in.readBoolean(),
        in.readUnsignedByte());
  }

  private static void writeNodeApp(DataOutputStream out, NodeApp a) throws IOException {
    out.writeUTF(a.name());
    out.writeUTF(a.state().name());
    writeOptionalVersion(out, a.running());
    writeOptionalVersion(out, a.wanted());
    out.writeBoolean(a.error() != null);
    if (a.error() != null) {
      out.writeUTF(text(a.error()));
    }
  }

  private static NodeApp readNodeApp(DataInputStream in) throws IOException {
    String name = in.readUTF();
    NodeApp.State state;
    try {
      state = NodeApp.State.valueOf(in.readUTF());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("farm frame: unknown application state", e);
    }
    AppVersion running = readOptionalVersion(in);
    AppVersion wanted = readOptionalVersion(in);
    String error = in.readBoolean() ? in.readUTF() : null;
    return new NodeApp(name, state, running, wanted, error);
  }

  private static void writeVersion(DataOutputStream out, AppVersion v) throws IOException {
    out.writeLong(v.counter());
    out.writeUTF(v.origin());
  }

  private static AppVersion readVersion(DataInputStream in) throws IOException {
    return new AppVersion(in.readLong(), in.readUTF());
  }

  private static void writeOptionalVersion(DataOutputStream out, AppVersion v) throws IOException {
    out.writeBoolean(v != null);
    if (v != null) {
      writeVersion(out, v);
    }
  }

  private static AppVersion readOptionalVersion(DataInputStream in) throws IOException {
    return in.readBoolean() ? readVersion(in) : null;
  }

  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_APPS) {
      throw new IllegalArgumentException(
          "farm frame: " + n + " applications is more than " + MAX_APPS);
    }
    return n;
  }

  private static String text(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
  }
}
