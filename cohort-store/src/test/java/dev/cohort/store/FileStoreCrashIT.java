package dev.cohort.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.session.SessionRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that writes sessions is killed with SIGKILL in the middle of its writes, three times;
 * every session file left behind loads as one whole version, and temp files are never read and are
 * removed at open once stale.
 */
class FileStoreCrashIT {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void killedWriter_neverLeavesAHalfWrittenSessionThatLoads() throws Exception {
    Path sessions = dir.resolve("sessions");
    for (int round = 1; round <= 3; round++) {
      killWriterAfter(sessions, 3 + round * 2);

      FileStore store = FileStore.open(sessions);
      List<String> ids = store.ids();
      assertThat(ids).hasSize(CrashingWriter.SESSIONS);
      for (String id : ids) {
        SessionRecord r = store.load(id).orElseThrow();
        long v = r.version();
        assertThat(Records.text(r).get("v")).isEqualTo("" + v);
        assertThat(r.attributes().get("big")).isEqualTo(CrashingWriter.bigValue(v));
      }
    }

    // temp files of the killed writers: ignored above, removed by the next open once stale
    try (Stream<Path> files = Files.list(sessions)) {
      for (Path p : files.toList()) {
        if (p.getFileName().toString().startsWith(FileStore.TEMP_PREFIX)) {
          Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        }
      }
    }
    FileStore.open(sessions);
    try (Stream<Path> files = Files.list(sessions)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .allMatch(n -> n.matches("[0-9a-f]{64}\\.session"))
          .hasSize(CrashingWriter.SESSIONS);
    }
  }

  private void killWriterAfter(Path sessions, int versions) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CrashingWriter.class.getName(),
                sessions.toString(),
                "100000")
            .redirectErrorStream(true)
            .start();
    AtomicInteger saved = new AtomicInteger();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.startsWith("saved ")) {
                    saved.set(Integer.parseInt(line.substring(6)));
                  }
                }
              } catch (Exception e) {
                // the process was killed: its output ends
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> saved.get() >= versions || !p.isAlive());
      assertThat(p.isAlive()).as("writer still running (exit %s)", exit(p)).isTrue();
    } finally {
      p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String exit(Process p) {
    return p.isAlive() ? "-" : String.valueOf(p.exitValue());
  }
}
