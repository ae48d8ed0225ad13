package dev.cohort.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChaosRunTest {

  @Test
  void gistOfATomcatErrorPage_namesTheServerAndTheTitle() {
    String page =
        "<!doctype html><html lang=\"en\"><head><title>HTTP Status 400 – Bad Request</title>"
            + "</head><body><h1>HTTP Status 400 – Bad Request</h1></body></html>";
    assertThat(ChaosRun.gist("Apache-Coyote/1.1", page))
        .isEqualTo(
            " from Apache-Coyote/1.1: HTTP Status 400 – Bad Request HTTP Status 400 – Bad Request");
  }

  @Test
  void gistOfAPlainBody_isItsFirstWords_cutAt120Characters() {
    assertThat(ChaosRun.gist("", "no backend accepted the connection\n"))
        .isEqualTo(": no backend accepted the connection");
    assertThat(ChaosRun.gist("", "x".repeat(300))).hasSize(2 + 120 + 3);
    assertThat(ChaosRun.gist("", "")).isEmpty();
  }
}
