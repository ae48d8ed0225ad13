package dev.cohort.example.cart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The example jar with a bad {@code cohort.*} value stops at start, naming the property. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadPropertyIT {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--cohort.backups=-1 | cohort.backups: -1 is not between 1 and 16",
        "--cohort.mode=bogus | cohort.mode: 'bogus' is not one of all, backup",
      })
  void badValue_stopsTheApplicationAtStart_namingTheProperty(String arg, String expected)
      throws Exception {
    int httpPort = CartProcess.freePorts(1).get(0);
    try (CartProcess app =
        CartProcess.start("bad", List.of("--server.port=" + httpPort, "--cohort.port=0", arg))) {
      int code = app.awaitExit(90);
      assertThat(code).as("exit code, see %s", app.log).isNotZero();
      assertThat(app.output()).contains("APPLICATION FAILED TO START").contains(expected);
    }
  }
}
