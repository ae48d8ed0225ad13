package dev.cohort.spring.boot;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A dnsmasq on 127.0.0.1 at a free port that answers one name with 127.0.0.1 and logs every query
 * to target/dnsmasq/. Missing dnsmasq fails the test under CI=true and skips it elsewhere.
 */
final class Dnsmasq implements AutoCloseable {
  final int port;
  final Path log;
  private final Process process;

  private Dnsmasq(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  static Dnsmasq serving(String name) throws Exception {
    String binary =
        Stream.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq")
            .filter(p -> Files.isExecutable(Path.of(p)))
            .findFirst()
            .orElse(null);
    if (binary == null) {
      String why =
          "dnsmasq is not installed — run scripts/test-env-setup (apt-get install dnsmasq)";
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true and " + why);
      }
      Assumptions.abort(why);
    }
    Path dir = Files.createDirectories(Path.of("target", "dnsmasq"));
    Path log = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freeUdpAndTcpPort();
      log = dir.resolve("dnsmasq-" + port + ".log");
      Process p =
          new ProcessBuilder(
                  binary,
                  "--keep-in-foreground",
                  "--conf-file=/dev/null",
                  "--no-resolv",
                  "--no-hosts",
                  "--no-poll",
                  "--user=" + System.getProperty("user.name"),
                  "--listen-address=127.0.0.1",
                  "--bind-interfaces",
                  "--port=" + port,
                  "--pid-file=" + dir.resolve("dnsmasq-" + port + ".pid").toAbsolutePath(),
                  "--host-record=" + name + ",127.0.0.1",
                  "--log-queries",
                  "--log-facility=-")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Path started = log;
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> !p.isAlive() || Files.readString(started).contains("started"));
      if (p.isAlive()) {
        return new Dnsmasq(port, log, p);
      }
    }
    throw new IllegalStateException(
        "dnsmasq did not start on 127.0.0.1 [" + log + "]: see its log — check the binary");
  }

  String queries() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private static int freeUdpAndTcpPort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
        port = udp.getLocalPort();
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free UDP+TCP port on 127.0.0.1 for dnsmasq");
  }
}
