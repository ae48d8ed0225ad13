package dev.cohort.tomcat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link NodeMain} in a child JVM, with its output copied to target/nodes/NAME.log. */
final class NodeProcess implements AutoCloseable {
  final String name;
  final Process process;
  final int httpPort;

  private NodeProcess(String name, Process process, int httpPort) {
    this.name = name;
    this.process = process;
    this.httpPort = httpPort;
  }

  /**
   * A loopback port free a moment ago, with the port 100 above it free too (a cluster port's
   * crash-detection port), never handed out twice in this JVM. Chosen below the kernel's ephemeral
   * range (32768 on Linux): a port the OS picked for a listener is in that range, where any
   * outgoing connection (a JDBC pool, an HTTP client) can take it before the node binds it.
   */
  static synchronized int freePort() {
    java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 2000; attempt++) {
      int p = 20_000 + rnd.nextInt(12_000);
      if (!GIVEN.contains(p) && !GIVEN.contains(p + 100) && bindable(p) && bindable(p + 100)) {
        GIVEN.add(p);
        return p;
      }
    }
    throw new IllegalStateException("no free port pair (p, p + 100) in 20000..32100 on loopback");
  }

  private static final Set<Integer> GIVEN = new java.util.HashSet<>();

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * {@code n} free loopback ports, all different: two calls of {@link #freePort()} in a row can
   * return the same port (DistributionIT once gave two Tomcats one HTTP port).
   */
  static int[] freePorts(int n) {
    Set<Integer> ports = new LinkedHashSet<>();
    while (ports.size() < n) {
      ports.add(freePort());
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  private static String snapshot;

  /**
   * The test class path with every jar copied under target/: the child JVMs load classes lazily for
   * minutes, and sibling modules may re-install their jars in the local repository meanwhile.
   */
  static synchronized String snapshotClassPath() {
    if (snapshot != null) {
      return snapshot;
    }
    try {
      Path dir = Files.createDirectories(Path.of("target", "node-classpath"));
      List<String> out = new ArrayList<>();
      int i = 0;
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path p = Path.of(entry);
        if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
          Path copy = dir.resolve((i++) + "-" + p.getFileName());
          Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
          out.add(copy.toAbsolutePath().toString());
        } else {
          out.add(entry);
        }
      }
      snapshot = String.join(File.pathSeparator, out);
      return snapshot;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static NodeProcess start(String name, List<String> args) {
    return start(name, NodeMain.class, args);
  }

  /** A child JVM running {@code main} (which prints {@code READY <httpPort>}) with these args. */
  static NodeProcess start(String name, Class<?> main, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-cp");
    cmd.add(snapshotClassPath());
    cmd.add(main.getName());
    cmd.add(name);
    cmd.addAll(args);
    try {
      Path logs = Path.of("target", "nodes");
      Files.createDirectories(logs);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      CompletableFuture<Integer> ready = new CompletableFuture<>();
      Path log = logs.resolve(name + "-" + p.pid() + ".log");
      Thread pump =
          new Thread(
              () -> {
                try (BufferedReader r =
                        new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    Writer w =
                        Files.newBufferedWriter(
                            log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                      ready.complete(Integer.parseInt(line.substring(6).trim()));
                    }
                    w.write(line);
                    w.write('\n');
                    w.flush();
                  }
                } catch (IOException e) {
                  // the process died; readiness fails below
                } finally {
                  ready.completeExceptionally(
                      new IllegalStateException("node " + name + " exited, see " + log));
                }
              },
              "node-" + name + "-out");
      pump.setDaemon(true);
      pump.start();
      int port = ready.get(60, TimeUnit.SECONDS);
      return new NodeProcess(name, p, port);
    } catch (Exception e) {
      throw new IllegalStateException("node " + name + " did not start: " + e, e);
    }
  }

  /** SIGKILL: no goodbye, no drain. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        process.getOutputStream().write("stop\n".getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
