package dev.cohort.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM of the demo (a node or the balancer): how to start it again, and its output, copied
 * line by line with a {@code name | } prefix to a stream or appended to a file.
 */
final class Child {
  final String name;
  private final List<String> command;
  private final PrintStream console;
  private final Path logFile;
  private final Map<String, String> environment;
  private volatile Process process;

  Child(String name, List<String> command, PrintStream console, Path logFile) {
    this(name, command, console, logFile, Map.of());
  }

  /**
   * {@code environment}: variables set for the child (e.g. COHORT_SECRET, never on its command
   * line).
   */
  Child(
      String name,
      List<String> command,
      PrintStream console,
      Path logFile,
      Map<String, String> environment) {
    this.name = name;
    this.command = List.copyOf(command);
    this.console = console;
    this.logFile = logFile;
    this.environment = Map.copyOf(environment);
  }

  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("child " + name + " is already running");
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("COHORT_DEMO", "1");
    pb.environment().remove("COHORT_SECRET");
    pb.environment().putAll(environment);
    if (logFile != null) {
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      process = pb.start();
    } else {
      process = pb.start();
      Process p = process;
      Thread pump =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    console.println(name + " | " + line);
                  }
                } catch (IOException e) {
                  // the child's pipe closed while reading: it is gone, nothing more to copy
                }
              },
              "cohort-demo-out-" + name);
      pump.setDaemon(true);
      pump.start();
    }
  }

  boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  ProcessHandle handle() {
    Process p = process;
    return p == null ? null : p.toHandle();
  }

  /** SIGKILL, as in a crash; returns once the process is gone. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  /**
   * SIGTERM (the node drains its sessions and leaves), then SIGKILL if it has not exited within
   * {@code grace}. Returns true when it exited by itself.
   */
  boolean stop(Duration grace) throws InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return true;
    }
    p.destroy();
    if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    p.destroyForcibly();
    p.waitFor();
    return false;
  }

  /** The exit code if the process has ended, else null. */
  Integer exitCode() {
    Process p = process;
    return p == null || p.isAlive() ? null : p.exitValue();
  }
}
