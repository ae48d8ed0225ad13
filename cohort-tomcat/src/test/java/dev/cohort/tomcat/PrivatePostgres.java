package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server of the test's own (initdb in a temp dir, 127.0.0.1 on a free port, trust
 * authentication), so a test may stop and start it without touching the machine's shared server. As
 * root the server runs as the {@code postgres} user. The binaries come from {@code COHORT_PG_BIN}
 * (default /usr/lib/postgresql/15/bin); when they are missing the test fails under CI=true and is
 * skipped elsewhere.
 */
final class PrivatePostgres implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asPostgres;

  private PrivatePostgres(Path bin, Path dir, int port, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /** initdb and start; {@code fsync} false trades crash safety of the OS for speed. */
  static PrivatePostgres start(boolean fsync) throws IOException, InterruptedException {
    Path bin = Path.of(System.getenv().getOrDefault("COHORT_PG_BIN", "/usr/lib/postgresql/15/bin"));
    if (!Files.isExecutable(bin.resolve("initdb"))) {
      String why = "PostgreSQL binaries not found in " + bin + " (set COHORT_PG_BIN)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + " — CI=true requires them (scripts/test-env-setup installs postgresql-15)");
      }
      Assumptions.abort(why);
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("cohort-pg-");
    PrivatePostgres pg = new PrivatePostgres(bin, dir, NodeProcess.freePort(), root);
    if (root) {
      pg.run(List.of("chown", "-R", "postgres", dir.toString()), false);
    }
    pg.run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            pg.data.toString(),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync"),
        true);
    Files.writeString(
        pg.data.resolve("postgresql.auto.conf"),
        "fsync = " + (fsync ? "on" : "off") + "\nsynchronous_commit = on\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    pg.start();
    return pg;
  }

  /** A store spec for this server (database postgres, user postgres, no password). */
  String spec() {
    return "jdbc:postgresql://127.0.0.1:"
        + port
        + "/postgres?user=postgres&cohort.connectTimeoutMs=5000&cohort.queryTimeoutSeconds=5";
  }

  int port() {
    return port;
  }

  void start() throws IOException, InterruptedException {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-w",
            "-t",
            "60",
            "-o",
            "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
            "start"),
        true);
  }

  /** Stops at once, as a crash would (no checkpoint, clients cut off). */
  void stopImmediately() throws IOException, InterruptedException {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-m",
            "immediate",
            "-w",
            "stop"),
        true);
  }

  @Override
  public void close() throws IOException {
    try {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"),
          true);
    } catch (IllegalStateException e) {
      // already stopped
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private void run(List<String> command, boolean postgresUser)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (postgresUser && asPostgres) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    Path log = dir.resolve("commands.log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("PostgreSQL command timed out: " + command.get(0));
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "PostgreSQL command failed (exit "
              + p.exitValue()
              + "): "
              + String.join(" ", command)
              + "\n"
              + Files.readString(log));
    }
  }
}
