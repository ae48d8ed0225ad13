package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link SessionStore} that keeps one file per session in a directory.
 *
 * <p>Design: a session's file is named by the hex SHA-256 of its id ({@code <64 hex>.session}), so
 * an id never becomes a path; the id is stored inside and checked on load. Ids are validated before
 * anything else ({@code [A-Za-z0-9_-]}, at most 200). The content is {@link RecordFormat} (magic,
 * version, bounded lengths, CRC32C), never Java serialization. A write goes to a temp file in the
 * same directory, is fsync'ed, atomically renamed over the old file, and the directory is fsync'ed:
 * a crash at any point leaves either the old or the new file, never a torn one. Temp files ({@code
 * .tmp-*}) are never read and are removed at open when older than a minute.
 *
 * <p>A save writes the whole record ({@code changed}/{@code removed} are not needed by this format)
 * and is skipped when the file already holds a newer version. Threading: thread-safe; writes to one
 * id are serialized by a lock stripe in this process; {@link #deleteExpired} also works when
 * several processes share the directory (a delete claims a file by renaming it first).
 */
public final class FileStore implements SessionStore {
  private static final System.Logger LOG = System.getLogger(FileStore.class.getName());
  static final String SUFFIX = ".session";
  static final String TEMP_PREFIX = ".tmp-";
  static final String CLAIM_PREFIX = ".expired-";
  static final Duration STALE_TEMP_AGE = Duration.ofMinutes(1);

  /** Largest file {@link #load} reads (a session of more than 1 GiB is a bug somewhere else). */
  static final long MAX_FILE_BYTES = 1L << 30;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final ReentrantLock[] stripes = new ReentrantLock[64];
  private volatile boolean closed;

  private FileStore(Path dir) {
    this.dir = dir;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * Opens (and creates, readable by its owner only) {@code dir} and removes temp files older than a
   * minute left by a crash. Session files are created readable by their owner only; an existing
   * directory others can read keeps its permissions and is logged.
   *
   * @throws StoreException when the directory cannot be created or is not writable
   */
  public static FileStore open(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    try {
      OwnerOnly.createDirectories(d);
    } catch (IOException e) {
      throw new StoreException(
          "store: cannot create directory " + d + ": " + e + " — check the path and permissions",
          e);
    }
    if (!Files.isDirectory(d) || !Files.isWritable(d)) {
      throw new StoreException(
          "store: " + d + " is not a writable directory — choose another file: store path");
    }
    if (OwnerOnly.isOpenToOthers(d)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "store: "
              + d
              + " can be listed by other users of this host; its session files are not readable"
              + " by them, but chmod 700 the directory to keep even their names private");
    }
    FileStore store = new FileStore(d);
    store.removeStaleTempFiles(Instant.now().minus(STALE_TEMP_AGE));
    return store;
  }

  /** The directory this store writes to. */
  public Path directory() {
    return dir;
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    Path file = fileFor(SessionIds.check(id));
    checkOpen("load");
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new StoreException(
            "store: load failed [file "
                + file.getFileName()
                + "]: larger than "
                + MAX_FILE_BYTES
                + " bytes — remove the file");
      }
      byte[] data = Files.readAllBytes(file);
      SessionRecord r = RecordFormat.decode(data);
      if (!r.id().equals(id)) {
        throw new StoreException(
            "store: load failed [file " + file.getFileName() + "]: it holds another session");
      }
      return Optional.of(r);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (RecordFormat.MalformedRecordException e) {
      throw new StoreException(
          "store: load failed [file "
              + file.getFileName()
              + "]: "
              + e.getMessage()
              + " — the file is damaged; remove it",
          e);
    } catch (IOException e) {
      throw new StoreException("store: load failed [file " + file.getFileName() + "]: " + e, e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
    String id = SessionIds.check(record.id());
    checkOpen("save");
    byte[] data = RecordFormat.encode(record);
    Path file = fileFor(id);
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      RecordFormat.Header current = readHeader(file);
      if (current != null && current.version() > record.version()) {
        LOG.log(System.Logger.Level.DEBUG, "store: skipped a write older than the stored one");
        return;
      }
      writeAtomically(file, data);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void delete(String id) {
    Path file = fileFor(SessionIds.check(id));
    checkOpen("delete");
    ReentrantLock lock = stripe(id);
    lock.lock();
    try {
      if (Files.deleteIfExists(file)) {
        syncDirectory();
      }
    } catch (IOException e) {
      throw new StoreException("store: delete failed [file " + file.getFileName() + "]: " + e, e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<String> findExpired(long nowMillis, int limit) {
    checkLimit(limit);
    List<String> ids = new ArrayList<>();
    for (Path file : sessionFiles()) {
      if (ids.size() >= limit) {
        break;
      }
      RecordFormat.Header h = readHeader(file);
      if (h != null && h.isExpired(nowMillis)) {
        ids.add(h.id());
      }
    }
    return ids;
  }

  @Override
  public List<String> ids() {
    List<String> ids = new ArrayList<>();
    for (Path file : sessionFiles()) {
      RecordFormat.Header h = readHeader(file);
      if (h != null) {
        ids.add(h.id());
      }
    }
    return ids;
  }

  /**
   * Deletes up to {@code limit} sessions expired at {@code nowMillis}; returns how many this call
   * deleted. Safe from several threads, stores or processes on one directory: a file is first
   * claimed by an atomic rename (only one caller's rename succeeds), its header is read again, and
   * a session saved meanwhile is put back instead of deleted.
   */
  public int deleteExpired(long nowMillis, int limit) {
    checkLimit(limit);
    checkOpen("deleteExpired");
    int deleted = 0;
    for (Path file : sessionFiles()) {
      if (deleted >= limit) {
        break;
      }
      RecordFormat.Header h = readHeader(file);
      if (h == null || !h.isExpired(nowMillis)) {
        continue;
      }
      ReentrantLock lock = stripe(h.id());
      lock.lock();
      try {
        if (claimAndDelete(file, nowMillis)) {
          deleted++;
        }
      } finally {
        lock.unlock();
      }
    }
    if (deleted > 0) {
      syncDirectory();
    }
    return deleted;
  }

  private boolean claimAndDelete(Path file, long nowMillis) {
    Path claim = dir.resolve(CLAIM_PREFIX + file.getFileName() + "-" + randomSuffix());
    try {
      Files.move(file, claim, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return false; // another caller claimed or deleted it first
    } catch (IOException e) {
      throw new StoreException(
          "store: deleteExpired failed [file " + file.getFileName() + "]: " + e, e);
    }
    try {
      RecordFormat.Header h = readHeader(claim);
      if (h != null && !h.isExpired(nowMillis)) {
        // saved again between the scan and the claim: put it back unless a newer file exists
        try {
          Files.createLink(file, claim);
        } catch (FileAlreadyExistsException newer) {
          // a save after the claim wins
        }
        Files.delete(claim);
        return false;
      }
      Files.delete(claim);
      return true;
    } catch (IOException e) {
      throw new StoreException(
          "store: deleteExpired failed [file " + file.getFileName() + "]: " + e, e);
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "file store (" + dir + ")";
  }

  // ------------------------------------------------------------------------------- plumbing

  /** The file of a (validated) id: hex SHA-256, so nothing in the id reaches the path. */
  Path fileFor(String id) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII));
      return dir.resolve(HexFormat.of().formatHex(hash) + SUFFIX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private void writeAtomically(Path file, byte[] data) {
    Path temp = dir.resolve(TEMP_PREFIX + file.getFileName() + "-" + randomSuffix());
    try {
      try (FileChannel ch =
          FileChannel.open(
              temp,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              OwnerOnly.file(temp))) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory();
    } catch (AtomicMoveNotSupportedException e) {
      deleteQuietly(temp);
      throw new StoreException(
          "store: save failed: " + dir + " does not support atomic rename — use a local directory",
          e);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new StoreException(
          "store: save failed [file "
              + file.getFileName()
              + ", "
              + data.length
              + " bytes]: "
              + e
              + " — check free space and permissions of "
              + dir,
          e);
    }
  }

  /** The header of a session file, or null when it is gone or unreadable (logged, not thrown). */
  private RecordFormat.Header readHeader(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(RecordFormat.MAX_HEADER);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // read until the header is in or the file ends
      }
      buf.flip();
      return RecordFormat.readHeader(buf);
    } catch (NoSuchFileException e) {
      return null;
    } catch (RecordFormat.MalformedRecordException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "store: ignoring damaged session file " + file.getFileName() + ": " + e.getMessage());
      return null;
    } catch (IOException e) {
      throw new StoreException("store: reading " + file.getFileName() + " failed: " + e, e);
    }
  }

  private List<Path> sessionFiles() {
    checkOpen("scan");
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.length() == 64 + SUFFIX.length() && !name.startsWith(".")) {
          files.add(p);
        }
      }
    } catch (IOException e) {
      throw new StoreException("store: listing " + dir + " failed: " + e, e);
    }
    return files;
  }

  void removeStaleTempFiles(Instant olderThan) {
    int removed = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if ((name.startsWith(TEMP_PREFIX) || name.startsWith(CLAIM_PREFIX))
            && Files.getLastModifiedTime(p).toInstant().isBefore(olderThan)
            && Files.deleteIfExists(p)) {
          removed++;
        }
      }
    } catch (IOException e) {
      throw new StoreException("store: cleaning temp files in " + dir + " failed: " + e, e);
    }
    if (removed > 0) {
      LOG.log(
          System.Logger.Level.INFO, "store: removed " + removed + " stale temp files in " + dir);
    }
  }

  private void syncDirectory() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      throw new StoreException("store: fsync of " + dir + " failed: " + e, e);
    }
  }

  private ReentrantLock stripe(String id) {
    return stripes[(id.hashCode() & 0x7fffffff) % stripes.length];
  }

  private void checkOpen(String what) {
    if (closed) {
      throw new StoreException("store: " + what + " failed: the store is closed");
    }
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("store: limit " + limit + " must be at least 1");
    }
  }

  private static String randomSuffix() {
    return Long.toHexString(RANDOM.nextLong());
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "store: cannot remove temp file " + p.getFileName());
    }
  }
}
