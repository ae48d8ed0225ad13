package dev.cohort.cli.admin;

import dev.cohort.tomcat.Secrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The cluster secret for commands that talk to nodes ({@code cohort farm}, {@code cohort status}):
 * {@code --secret-file FILE} (its first line) or the environment variable {@code COHORT_SECRET}.
 * Never a command-line value, which every user of the machine can read in a process listing.
 */
public final class SecretOption {
  public static final String ENV = "COHORT_SECRET";

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      description = "file whose first line is the cluster secret (or env " + ENV + ")")
  Path secretFile;

  /** The secret, or null when none was given; throws naming the option when it is unusable. */
  public String secret() {
    String s =
        secretFile != null ? Secrets.readFile("--secret-file", secretFile) : System.getenv(ENV);
    if (s != null && s.isEmpty()) {
      s = null;
    }
    if (s != null && s.getBytes(StandardCharsets.UTF_8).length < 16) {
      throw new IllegalArgumentException(
          (secretFile != null ? "--secret-file" : ENV)
              + ": the secret is "
              + s.getBytes(StandardCharsets.UTF_8).length
              + " bytes — at least 16 are required");
    }
    return s;
  }
}
