package dev.cohort.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A benchmark node in its own JVM ({@link BenchNode}), started with the classpath of this JVM. Its
 * output goes to {@code <logDir>/<name>.log}. {@link #kill()} is SIGKILL (kill -9); {@link
 * #close()} asks for a graceful stop and kills after 15 s.
 */
final class NodeProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final int httpPort;

  private NodeProcess(String name, Process process, int httpPort) {
    this.name = name;
    this.process = process;
    this.httpPort = httpPort;
  }

  /** Starts the node and waits until it serves (READY) or {@code timeoutSeconds} passed. */
  static NodeProcess start(NodeOptions o, String heap, Path logDir, int timeoutSeconds)
      throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(o.name() + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-XX:+UseG1GC");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    // e.g. BENCH_NODE_JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/{node}.jfr' to profile
    // the nodes; {node} is replaced by the node's name
    String extra = System.getenv("BENCH_NODE_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      for (String opt : extra.trim().split("\\s+")) {
        cmd.add(opt.replace("{node}", o.name()));
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BenchNode.class.getName());
    cmd.addAll(o.toArgs());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<Integer> ready = new CompletableFuture<>();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter w = new PrintWriter(Files.newBufferedWriter(log), true)) {
                String line;
                while ((line = r.readLine()) != null) {
                  w.println(line);
                  if (line.startsWith("READY ")) {
                    ready.complete(Integer.parseInt(line.substring(6).trim()));
                  }
                }
              } catch (IOException | RuntimeException e) {
                ready.completeExceptionally(e);
              }
              ready.completeExceptionally(
                  new IOException("node " + o.name() + " exited before READY — see " + log));
            },
            "bench-log-" + o.name());
    pump.setDaemon(true);
    pump.start();
    try {
      return new NodeProcess(o.name(), p, ready.get(timeoutSeconds, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new IOException(
          "node "
              + o.name()
              + " did not start within "
              + timeoutSeconds
              + " s: "
              + e
              + " — see "
              + log,
          e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      throw e;
    }
  }

  String name() {
    return name;
  }

  int httpPort() {
    return httpPort;
  }

  long pid() {
    return process.pid();
  }

  /** CPU time the node's JVM used so far (user + system), nanoseconds; 0 when unknown. */
  long cpuNanos() {
    return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, as {@code kill -9}: no shutdown hook, no goodbye to the cluster. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      OutputStream in = process.getOutputStream();
      in.write("stop\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A port that was free a moment ago on 127.0.0.1. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
