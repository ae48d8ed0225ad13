package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real jar, as a process: bad usage exits 2 with one line on stderr naming the option. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeBadUsageIT {

  private static void assertExit2WithOneLine(JarProcess p, String option) throws Exception {
    assertThat(p.process.waitFor(50, TimeUnit.SECONDS)).isTrue();
    String err = p.errors();
    assertThat(p.process.exitValue()).as(err).isEqualTo(2);
    assertThat(err.strip().lines()).as(err).hasSize(1);
    assertThat(err).contains(option);
  }

  @Test
  void httpPortInUse_exits2_namingHttpPort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (JarProcess p =
          JarProcess.start(
              "node-port-in-use",
              "node",
              "--name",
              "n1",
              "--http-port",
              Integer.toString(taken.getLocalPort()))) {
        assertExit2WithOneLine(p, "--http-port");
      }
    }
  }

  @Test
  void bogusMode_exits2_namingMode() throws Exception {
    try (JarProcess p =
        JarProcess.start("node-bogus-mode", "node", "--name", "n1", "--mode", "bogus")) {
      assertExit2WithOneLine(p, "--mode");
    }
  }

  @Test
  void shortSecret_exits2_namingSecret() throws Exception {
    try (JarProcess p =
        JarProcess.start("node-short-secret", "node", "--name", "n1", "--secret", "abc")) {
      assertExit2WithOneLine(p, "--secret");
    }
  }

  @Test
  void unreadableConfig_exits2_namingConfig() throws Exception {
    try (JarProcess p =
        JarProcess.start("node-bad-config", "node", "--config", "/nonexistent/cohort.properties")) {
      assertExit2WithOneLine(p, "--config");
    }
  }
}
