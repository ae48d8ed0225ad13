package dev.cohort.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cli.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusCommandTest {
  private static final String STATUS =
      "{\"node\":\"n1\",\"ready\":true,\"viewId\":6,\"members\":[\"n1\",\"n2\",\"n3\"],"
          + "\"totals\":{\"sessionsOwned\":17,\"sessionsReplicated\":15,\"sessionsUnprotected\":1,"
          + "\"heldBytes\":3172,\"deltasSent\":140,\"deltasApplied\":131,\"takeovers\":4,"
          + "\"syncTimeouts\":0,\"ackLatencyAvgMicros\":610.2,\"ackLatencyMaxMicros\":9800},"
          + "\"engines\":[{\"engine\":0,\"ready\":true,\"sessionsOwned\":17,"
          + "\"sessionsReplicated\":15,\"sessionsUnprotected\":1,"
          + "\"transfer\":{\"received\":3,\"expected\":10}}],"
          + "\"events\":[{\"at\":\"2026-11-23T11:20:03Z\",\"viewId\":6,\"text\":\"joined n3; 3 members\"}]}";

  @Test
  void printsViewFiguresAndEvents() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StatusCommand.print(
        new PrintStream(bytes, true, StandardCharsets.UTF_8),
        "http://127.0.0.1:8081",
        Json.object(STATUS));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out)
        .contains("node n1 (ready) at http://127.0.0.1:8081")
        .contains("view 6: 3 members [n1, n2, n3]")
        .contains("17 owned, 15 replicated, 1 unprotected; 3.1 KiB held")
        .contains("4 take-overs")
        .contains("ack avg 0.61 ms, max 9.80 ms")
        .contains("transfer 3/10")
        .contains("view 6: joined n3; 3 members");
  }

  @Test
  void sizesAreHuman() {
    assertThat(StatusCommand.bytes(512)).isEqualTo("512 B");
    assertThat(StatusCommand.bytes(3 * 1024 * 1024)).isEqualTo("3.0 MiB");
  }
}
