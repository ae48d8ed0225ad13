package dev.cohort.example.cart;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The example application's executable jar in a child JVM ({@code java -jar}), its output copied to
 * target/apps/NAME-PID.log and kept for {@link #output()}.
 */
final class CartProcess implements AutoCloseable {
  final String name;
  final Process process;
  final Path log;
  private final StringBuffer output = new StringBuffer();
  private final CompletableFuture<Void> exited = new CompletableFuture<>();

  private CartProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static Path jar() {
    String jar = System.getProperty("cart.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "the example's executable jar is missing ["
              + jar
              + "]: run the integration tests through Maven (mvn verify), which packages it first");
    }
    return Path.of(jar);
  }

  static CartProcess start(String name, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    try {
      Path logs = Files.createDirectories(Path.of("target", "apps"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Path log = logs.resolve(name + "-" + p.pid() + ".log");
      CartProcess cp = new CartProcess(name, p, log);
      Thread pump = new Thread(cp::pump, "app-" + name + "-out");
      pump.setDaemon(true);
      pump.start();
      return cp;
    } catch (IOException e) {
      throw new UncheckedIOException("starting " + name + " failed: " + e, e);
    }
  }

  private void pump() {
    try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer w =
            Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = r.readLine()) != null) {
        output.append(line).append('\n');
        w.write(line);
        w.write('\n');
        w.flush();
      }
    } catch (IOException e) {
      // the process died: its output ends here
    } finally {
      exited.complete(null);
    }
  }

  /** Everything the process printed so far. */
  String output() {
    return output.toString();
  }

  /** Waits for the process to exit and its output to be read; returns the exit code. */
  int awaitExit(long seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " still runs after " + seconds + " s, see " + log);
    }
    exited.get(10, TimeUnit.SECONDS);
    return process.exitValue();
  }

  /** SIGKILL: no goodbye, no drain. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: Spring Boot closes the context
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * {@code n} distinct free ports on 127.0.0.1, each with port + 100 (JGroups' FD_SOCK2) free too.
   * They are drawn from 20000-32099, below the kernel's ephemeral range, so that no connection the
   * machine opens meanwhile takes one before the instance binds it.
   */
  static List<Integer> freePorts(int n) {
    List<Integer> out = new ArrayList<>();
    for (int attempt = 0; out.size() < n && attempt < 2000; attempt++) {
      int p = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      if (GIVEN.add(p) && !GIVEN.contains(p + 100) && isFree(p) && isFree(p + 100)) {
        GIVEN.add(p + 100);
        out.add(p);
      }
    }
    if (out.size() < n) {
      throw new IllegalStateException("no " + n + " free ports (p and p + 100) in 20000-32099");
    }
    return out;
  }

  /** Every port handed out (and p + 100), never given twice in one test JVM. */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
