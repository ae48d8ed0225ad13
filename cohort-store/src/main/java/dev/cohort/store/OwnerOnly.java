package dev.cohort.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories that hold session data, readable by their owner only: files 0600,
 * directories 0700, where the file system has POSIX permissions (elsewhere the platform's defaults
 * apply). Sessions carry logins and whatever the application keeps in them; another account on the
 * host has no business reading them.
 *
 * <p>Only what Cohort creates is restricted: a directory that already exists keeps its permissions
 * (it may be shared), and {@link #isOpenToOthers} lets the caller warn about it.
 */
final class OwnerOnly {
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  private OwnerOnly() {}

  static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The attributes that create a file readable by its owner only (none without POSIX). */
  static FileAttribute<?>[] file(Path p) {
    return posix(p)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }

  /** Creates {@code dir} and its missing parents, each created one 0700. */
  static void createDirectories(Path dir) throws IOException {
    Path d = dir.toAbsolutePath();
    if (Files.isDirectory(d)) {
      return;
    }
    if (posix(d)) {
      Files.createDirectories(d, PosixFilePermissions.asFileAttribute(DIRECTORY));
    } else {
      Files.createDirectories(d);
    }
  }

  /** Makes an existing file (one another library created) readable by its owner only. */
  static void restrict(Path file) throws IOException {
    if (posix(file) && Files.isRegularFile(file)) {
      Files.setPosixFilePermissions(file, FILE);
    }
  }

  /** True when others than the owner may list or read {@code dir}. */
  static boolean isOpenToOthers(Path dir) {
    try {
      if (!posix(dir)) {
        return false;
      }
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
      return p.contains(PosixFilePermission.GROUP_READ)
          || p.contains(PosixFilePermission.GROUP_EXECUTE)
          || p.contains(PosixFilePermission.OTHERS_READ)
          || p.contains(PosixFilePermission.OTHERS_EXECUTE);
    } catch (IOException e) {
      return false;
    }
  }
}
