package dev.cohort.tomcat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Reads the cluster secret from a file ({@code secretFile} on {@code <Cluster>}, {@code
 * --secret-file} on the command line, {@code cohort.secret-file} in Spring Boot): a secret in a
 * file shows neither in a configuration file others may read nor in a process listing.
 */
public final class Secrets {
  private static final Log log = LogFactory.getLog(Secrets.class);

  private Secrets() {}

  /**
   * The file's first line, without surrounding white space.
   *
   * @param option the setting's name, for errors
   * @throws IllegalArgumentException naming {@code option} when the file cannot be read or its
   *     first line is empty
   */
  public static String readFile(String option, Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          option + ": cannot read the secret from '" + file + "': " + e + " — check the path", e);
    }
    String secret = lines.isEmpty() ? "" : lines.get(0).strip();
    if (secret.isEmpty()) {
      throw new IllegalArgumentException(
          option + ": '" + file + "' is empty — its first line must be the secret");
    }
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.OTHERS_READ)
          || p.contains(PosixFilePermission.GROUP_READ)) {
        log.warn(
            "cohort: the secret file "
                + file
                + " can be read by other users — restrict it (chmod 600)");
      }
    } catch (UnsupportedOperationException | IOException e) {
      // no POSIX permissions on this file system: nothing to check
    }
    return secret;
  }
}
