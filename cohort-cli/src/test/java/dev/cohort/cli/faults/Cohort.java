package dev.cohort.cli.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code cohort-cli-<v>-all.jar} run as a process, as a user runs it; output to a file
 * under {@code target/faults/} (named after the run), so a failed test leaves the evidence.
 */
final class Cohort {
  private Cohort() {}

  static Path jar() {
    String jar = System.getProperty("cohort.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "the shaded jar is missing (" + jar + "): run the ITs with 'mvn verify' (package first)");
    }
    return Path.of(jar);
  }

  static Path dir(String name) throws IOException {
    Path d = Path.of(System.getProperty("cohort.target", "target"), "faults", name);
    Files.createDirectories(d);
    return d;
  }

  static List<String> java(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Process start(String name, Map<String, String> env, String... args) throws IOException {
    Path out = dir(name).resolve("out.log");
    ProcessBuilder pb =
        new ProcessBuilder(java(args))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()));
    pb.environment().putAll(env);
    return pb.start();
  }

  static String output(String name) throws IOException {
    return Files.readString(dir(name).resolve("out.log"), StandardCharsets.UTF_8);
  }

  /**
   * {@code cohort chaos --scenario S ...} to its end (bounded by {@code timeoutSeconds}); every
   * process it started is gone when this returns.
   */
  static ChaosReport chaos(String name, int timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    List<String> all =
        new ArrayList<>(List.of("chaos", "--logs", dir(name).resolve("nodes").toString()));
    all.addAll(List.of(args));
    Process p = start(name, Map.of(), all.toArray(String[]::new));
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new AssertionError(
            "cohort chaos "
                + String.join(" ", args)
                + " did not finish in "
                + timeoutSeconds
                + " s:\n"
                + output(name));
      }
      ChaosReport r = ChaosReport.parse(output(name), p.exitValue());
      System.out.println(r.text());
      return r;
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
