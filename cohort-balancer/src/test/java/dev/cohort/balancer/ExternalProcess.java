package dev.cohort.balancer;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child process of a test (a backend JVM, HAProxy), killed when the test ends. */
final class ExternalProcess implements AutoCloseable {
  final Process process;
  final String name;
  private final StringBuilder output = new StringBuilder();

  private ExternalProcess(String name, List<String> command) throws IOException {
    this.name = name;
    this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  synchronized (output) {
                    if (output.length() < 64 * 1024) {
                      output.append(line).append('\n');
                    }
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "output-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  static ExternalProcess start(String name, List<String> command) throws IOException {
    return new ExternalProcess(name, command);
  }

  /** A {@link TestBackend} in its own small JVM on {@code port}. */
  static ExternalProcess backendJvm(String route, int port) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        Path.of(TestBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + File.pathSeparator
            + Path.of(Backend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx64m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(TestBackend.class.getName());
    cmd.add(route);
    cmd.add(String.valueOf(port));
    return start("backend-" + route, cmd);
  }

  /** A port that was free a moment ago (for programs that cannot report an ephemeral port). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** SIGKILL: no clean shutdown, the sockets just vanish. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
