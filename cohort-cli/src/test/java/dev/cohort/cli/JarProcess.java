package dev.cohort.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The built {@code cohort-cli-<v>-all.jar} run as a process, as a user runs it: stdout is read line
 * by line into {@link #lines()} (so the pipe never fills), stderr goes to a file.
 */
final class JarProcess implements AutoCloseable {
  final Process process;
  final Path stderr;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private JarProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(stdout closed: " + e + ")");
              }
            },
            "jar-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static Path jar() {
    String jar = System.getProperty("cohort.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "the shaded jar is missing (" + jar + "): run the ITs with 'mvn verify' (package first)");
    }
    return Path.of(jar);
  }

  static Path target() {
    return Path.of(System.getProperty("cohort.target", "target"));
  }

  static JarProcess start(String logName, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    Path err = target().resolve(logName + "-stderr.log");
    Process p =
        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(err.toFile())).start();
    return new JarProcess(p, err);
  }

  List<String> lines() {
    return lines;
  }

  String output() {
    return String.join("\n", lines);
  }

  String errors() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  /** Kills the process and everything it started (only used when a test failed half-way). */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
