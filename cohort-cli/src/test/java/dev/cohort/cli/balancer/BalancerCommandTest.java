package dev.cohort.cli.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.balancer.BalancerConfig;
import dev.cohort.balancer.HealthCheck;
import dev.cohort.cli.Main;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * How the health-check options reach {@link BalancerConfig}, from the command line and --config.
 */
class BalancerCommandTest {
  @TempDir Path dir;

  private static BalancerConfig parse(String... args) {
    BalancerCommand cmd = new BalancerCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.config();
  }

  /** Parses {@code cohort <args>} as {@link Main#run} does, with the --config file installed. */
  private static BalancerConfig parseWithConfigFile(String... args) throws Exception {
    CommandLine cli = new CommandLine(new Main());
    Method install =
        Class.forName("dev.cohort.cli.ConfigFile")
            .getDeclaredMethod("install", CommandLine.class, String[].class);
    install.setAccessible(true);
    install.invoke(null, cli, args);
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    return ((BalancerCommand) parsed.subcommand().commandSpec().userObject()).config();
  }

  @Test
  void noHealthOption_isGetCohortHealthExpecting2xxAnd3xx() {
    BalancerConfig c = parse("--backend", "n1=http://127.0.0.1:8081");

    assertThat(c.healthCheck()).isEqualTo(HealthCheck.defaults());
    assertThat(c.healthCheck()).hasToString("http GET /cohort/health expect 200-399");
  }

  @Test
  void healthCheckOptions_reachTheConfig() {
    assertThat(
            parse(
                    "--backend",
                    "n1=http://127.0.0.1:8081",
                    "--health-path",
                    "/manager/text/serverinfo",
                    "--health-status",
                    "200,401")
                .healthCheck())
        .isEqualTo(HealthCheck.http("/manager/text/serverinfo", "200,401"));
    assertThat(
            parse("--backend", "n1=http://127.0.0.1:8081", "--health-check", "tcp").healthCheck())
        .isEqualTo(HealthCheck.tcp());
    assertThat(
            parse("--backend", "n1=http://127.0.0.1:8081", "--health-check", "NONE").healthCheck())
        .isEqualTo(HealthCheck.none());
  }

  @Test
  void configFileKeys_areTheOptionNames_andTheCommandLineWins() throws Exception {
    Path cfg =
        Files.writeString(
            dir.resolve("balancer.properties"),
            "backend=n1=http://127.0.0.1:8081\n"
                + "health-check=http\n"
                + "health-path=/ping\n"
                + "health-status=2xx\n");

    assertThat(parseWithConfigFile("balancer", "--config", cfg.toString()).healthCheck())
        .isEqualTo(HealthCheck.http("/ping", "200-299"));
    assertThat(
            parseWithConfigFile("balancer", "--config", cfg.toString(), "--health-status", "204")
                .healthCheck())
        .isEqualTo(HealthCheck.http("/ping", "204"));

    Path tcp =
        Files.writeString(
            dir.resolve("tcp.properties"), "backend=n1=http://127.0.0.1:8081\nhealth-check=tcp\n");
    assertThat(parseWithConfigFile("balancer", "--config", tcp.toString()).healthCheck())
        .isEqualTo(HealthCheck.tcp());
  }
}
