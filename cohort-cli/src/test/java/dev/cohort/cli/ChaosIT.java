package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code cohort chaos} from the built jar: its own 3-node sync cluster behind the balancer, users
 * counting while nodes are killed (SIGKILL) and restarted gracefully; nothing may be lost, stale or
 * failed. (The 60 s run is done by hand; CI runs a shorter one.) The requests carry no idempotency
 * key ({@code --no-idempotency-keys}), so every count is checked exactly: a request a node answered
 * with an error must have changed nothing (the balancer retries it elsewhere, and a count one too
 * far would show it), and no two answers may show the same count. The scenario ITs in {@code
 * dev.cohort.cli.faults} run with keys, each invariant in its own test.
 */
class ChaosIT {

  @Test
  @Timeout(value = 400, unit = TimeUnit.SECONDS)
  void syncCluster_losesNothing_andCountsExactly_whileNodesAreKilledAndRestarted()
      throws Exception {
    String logs = JarProcess.target().resolve("chaos-it-logs").toString();
    try (JarProcess chaos =
        JarProcess.start(
            "chaos-it",
            "chaos",
            "--duration",
            "25s",
            "--users",
            "20",
            "--no-idempotency-keys",
            "--logs",
            logs)) {
      assertThat(chaos.process.waitFor(380, TimeUnit.SECONDS)).as("chaos finishes").isTrue();
      String report = chaos.output();
      System.out.println(report);

      assertThat(chaos.process.exitValue()).as(report + "\n" + chaos.errors()).isZero();
      assertThat(report)
          .contains("failed requests 0")
          .contains("lost sessions   0")
          .contains("stale reads     0")
          .containsPattern("resurrected\\s+0 \\(of [1-9]")
          .contains("kill -9")
          .containsPattern("counting\\s+exact \\(no idempotency keys\\)")
          // read from the balancer's status page on its admin port
          .containsPattern("balancer\\s+\\d+ retries, \\d+ bad gateway")
          .contains("RESULT: PASS");
      assertThat(chaos.process.descendants().toList()).isEmpty();
    }
  }
}
