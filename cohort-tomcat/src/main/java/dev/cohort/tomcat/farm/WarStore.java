package dev.cohort.tomcat.farm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The farm directory on disk.
 *
 * <pre>
 *   DIR/name.war                    the watch copy: dropped by an operator, or mirrored here
 *   DIR/.farm/incoming/             files being received (never deployed from here)
 *   DIR/.farm/apps/name/SHA.war     verified, immutable versions (a context's docBase)
 *   DIR/.farm/catalogue             the catalogue (binary, written atomically)
 * </pre>
 *
 * A file reaches {@code apps/} only by an atomic rename after its length and SHA-256 were checked,
 * it was fsync'ed and it opened as a ZIP archive, so no node ever deploys a half-copied file.
 * Thread-safe: every method works on distinct temp files or is an atomic rename.
 */
final class WarStore {
  private static final int BUFFER = 64 * 1024;
  private final Path dir;
  private final Path incoming;
  private final Path apps;
  private final Path catalogue;
  private final long maxWarBytes;

  WarStore(Path dir, long maxWarBytes) {
    this.dir = dir.toAbsolutePath();
    Path meta = this.dir.resolve(".farm");
    this.incoming = meta.resolve("incoming");
    this.apps = meta.resolve("apps");
    this.catalogue = meta.resolve("catalogue");
    this.maxWarBytes = maxWarBytes;
  }

  /** Creates the directories and deletes what an earlier process left half-received. */
  void open() throws IOException {
    Files.createDirectories(incoming);
    Files.createDirectories(apps);
    try (DirectoryStream<Path> left = Files.newDirectoryStream(incoming)) {
      for (Path p : left) {
        Files.deleteIfExists(p);
      }
    }
  }

  Path dir() {
    return dir;
  }

  Path war(String name, String sha) {
    return apps.resolve(name).resolve(sha + ".war");
  }

  boolean has(String name, String sha) {
    return FarmApp.isSha256(sha) && Files.isRegularFile(war(name, sha));
  }

  /** The watch copy of {@code name}. */
  Path watchFile(String name) {
    return dir.resolve(name + ".war");
  }

  /** Starts receiving a WAR that must be {@code size} bytes with SHA-256 {@code sha}. */
  Incoming begin(String name, long size, String sha) throws IOException, WarRejectedException {
    if (size > maxWarBytes) {
      throw new WarRejectedException(
          "WAR rejected [app "
              + name
              + "]: "
              + size
              + " bytes is more than farmMaxWarBytes ("
              + maxWarBytes
              + ") — raise farmMaxWarBytes on every node");
    }
    return new Incoming(name, size, sha);
  }

  /** Receives {@code in} completely into the store (see {@link Incoming#commit}). */
  Path stage(InputStream in, String name, long size, String sha)
      throws IOException, WarRejectedException {
    try (Incoming inc = begin(name, size, sha)) {
      byte[] buf = new byte[BUFFER];
      int n;
      while ((n = in.read(buf)) >= 0) {
        inc.write(buf, 0, n);
      }
      return inc.commit();
    }
  }

  /** Copies a stored version to the watch directory atomically; returns the watch file. */
  Path mirror(String name, Path war) throws IOException {
    Path tmp = Files.createTempFile(incoming, name + "-", ".mirror");
    try {
      Files.copy(war, tmp, StandardCopyOption.REPLACE_EXISTING);
      fsync(tmp);
      Path target = watchFile(name);
      move(tmp, target);
      return target;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  void deleteWatchFile(String name) throws IOException {
    Files.deleteIfExists(watchFile(name));
  }

  /** Deletes the stored versions of {@code name} other than {@code keep}. */
  void prune(String name, Set<String> keep) throws IOException {
    Path d = apps.resolve(name);
    if (!Files.isDirectory(d)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(d, "*.war")) {
      for (Path p : files) {
        String sha = p.getFileName().toString().replace(".war", "");
        if (!keep.contains(sha)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  List<FarmApp> loadCatalogue() throws IOException {
    List<FarmApp> out = new ArrayList<>();
    if (!Files.isRegularFile(catalogue)) {
      return out;
    }
    try (DataInputStream in = new DataInputStream(Files.newInputStream(catalogue))) {
      int n = in.readInt();
      if (n < 0 || n > FarmCodec.MAX_APPS) {
        throw new IOException("farm catalogue " + catalogue + ": bad entry count " + n);
      }
      for (int i = 0; i < n; i++) {
        int len = in.readInt();
        if (len < 0 || len > 1 << 20) {
          throw new IOException("farm catalogue " + catalogue + ": bad entry length " + len);
        }
        out.add(FarmCodec.decodeApp(in.readNBytes(len)));
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("farm catalogue " + catalogue + " is damaged: " + e.getMessage(), e);
    }
    return out;
  }

  void saveCatalogue(Collection<FarmApp> entries) throws IOException {
    Path tmp = Files.createTempFile(incoming, "catalogue-", ".tmp");
    try {
      try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
        out.writeInt(entries.size());
        for (FarmApp a : entries) {
          byte[] b = FarmCodec.encodeApp(a);
          out.writeInt(b.length);
          out.write(b);
        }
      }
      fsync(tmp);
      move(tmp, catalogue);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[BUFFER];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "moving "
              + from
              + " to "
              + to
              + " atomically is not supported by this file system"
              + " — put the farm directory on a local file system",
          e);
    }
    try (FileChannel d = FileChannel.open(to.getParent(), StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some file systems cannot fsync a directory; the rename itself is atomic
    }
  }

  /**
   * One WAR being received: bytes go to a temp file in {@code incoming/} while their SHA-256 is
   * computed. {@link #commit} verifies, fsyncs and renames; {@link #close} without commit deletes.
   * One thread writes one Incoming.
   */
  final class Incoming implements AutoCloseable {
    private final String name;
    private final long size;
    private final String sha;
    private final Path tmp;
    private final OutputStream out;
    private final MessageDigest md = digest();
    private long written;
    private boolean done;

    private Incoming(String name, long size, String sha) throws IOException {
      this.name = name;
      this.size = size;
      this.sha = sha;
      this.tmp = Files.createTempFile(incoming, name + "-", ".part");
      this.out = Files.newOutputStream(tmp);
    }

    void write(byte[] b, int off, int len) throws IOException, WarRejectedException {
      if (written + len > size) {
        throw new WarRejectedException(
            "WAR rejected [app "
                + name
                + "]: more than the announced "
                + size
                + " bytes arrived — the sender's file changed while it was sent; send it again");
      }
      out.write(b, off, len);
      md.update(ByteBuffer.wrap(b, off, len));
      written += len;
    }

    /** Verifies length, SHA-256 and ZIP structure, then moves the file into the store. */
    Path commit() throws IOException, WarRejectedException {
      out.close();
      if (written != size) {
        throw new WarRejectedException(
            "WAR rejected [app "
                + name
                + "]: received "
                + written
                + " of "
                + size
                + " bytes — the transfer was cut short; nothing was deployed, send it again");
      }
      String got = HexFormat.of().formatHex(md.digest());
      if (!got.equals(sha)) {
        throw new WarRejectedException(
            "WAR rejected [app "
                + name
                + "]: SHA-256 of the "
                + written
                + " received bytes is "
                + got.substring(0, 12)
                + "..., expected "
                + (sha == null || sha.length() < 12 ? sha : sha.substring(0, 12) + "...")
                + " — the file was corrupted on the way; nothing was deployed, send it again");
      }
      try (ZipFile zip = new ZipFile(tmp.toFile())) {
        if (zip.size() == 0) {
          throw new WarRejectedException(
              "WAR rejected [app " + name + "]: the archive is empty — build the WAR again");
        }
      } catch (ZipException e) {
        throw new WarRejectedException(
            "WAR rejected [app "
                + name
                + "]: not a ZIP archive ("
                + e.getMessage()
                + ") — deploy a .war file",
            e);
      }
      fsync(tmp);
      Path target = war(name, sha);
      Files.createDirectories(target.getParent());
      move(tmp, target);
      done = true;
      return target;
    }

    @Override
    public void close() throws IOException {
      out.close();
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
