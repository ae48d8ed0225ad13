package dev.cohort.cli.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NodeSettingsTest {
  @TempDir Path dir;

  private static NodeSettings parse(String... args) {
    NodeCommand node = new NodeCommand();
    new CommandLine(node).parseArgs(args);
    return node.settings();
  }

  @Test
  void membersBecomeStaticDiscovery_andDefaultsAreBackupSyncK1() {
    NodeSettings s =
        parse("--name", "n1", "--http-port", "8081", "--members", "127.0.0.1:7801,127.0.0.1:7802");

    assertThat(s.cluster())
        .containsEntry("discovery", "static:127.0.0.1:7801,127.0.0.1:7802")
        .containsEntry("mode", "backup")
        .containsEntry("backups", "1")
        .containsEntry("sync", "true")
        .containsEntry("syncTimeout", "5000")
        .containsEntry("port", "4000");
  }

  @Test
  void asyncAllModeAndDurations() {
    NodeSettings s =
        parse(
            "--name",
            "n2",
            "--mode",
            "ALL",
            "--async",
            "--drain-timeout",
            "2m",
            "--heartbeat",
            "250");

    assertThat(s.cluster())
        .containsEntry("mode", "all")
        .containsEntry("sync", "false")
        .containsEntry("drainTimeout", "120000")
        .containsEntry("heartbeat", "250");
  }

  @Test
  void configFileSuppliesDefaults_andTheCommandLineWins() throws Exception {
    Path cfg =
        Files.writeString(
            dir.resolve("n.properties"),
            "name=n7\nmode=all\nhttp-port=9000\ncluster-name=blue\nstore=file:/tmp/x\n");
    CommandLine cli = new CommandLine(new Main());
    String[] args = {"node", "--config", cfg.toString(), "--http-port", "9001"};
    java.lang.reflect.Method install =
        Class.forName("dev.cohort.cli.ConfigFile")
            .getDeclaredMethod("install", CommandLine.class, String[].class);
    install.setAccessible(true);
    install.invoke(null, cli, args);
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    NodeCommand node = (NodeCommand) parsed.subcommand().commandSpec().userObject();

    NodeSettings s = node.settings();

    assertThat(s.name()).isEqualTo("n7");
    assertThat(s.httpPort()).isEqualTo(9001);
    assertThat(s.cluster())
        .containsEntry("mode", "all")
        .containsEntry("clusterName", "blue")
        .containsEntry("store", "file:/tmp/x");
  }

  @Test
  void describeNeverShowsTheSecret() {
    NodeSettings s = parse("--name", "n1", "--secret", "0123456789abcdef-very-secret");

    assertThat(s.describe()).doesNotContain("very-secret").contains("secret=(set, 28 bytes)");
  }

  @Test
  void describeMasksStoreCredentials_keepingTheRestOfTheUrl() {
    NodeSettings userInfo =
        parse("--name", "n1", "--store", "jdbc:postgresql://app:pw-s3cret@db:5432/app?ssl=true");
    NodeSettings parameter =
        parse("--name", "n1", "--store", "jdbc:mariadb://db/app?user=app&PASSWORD=pw-s3cret");

    assertThat(userInfo.describe())
        .doesNotContain("pw-s3cret")
        .contains("store=jdbc:postgresql://app:***@db:5432/app?ssl=true");
    assertThat(parameter.describe())
        .doesNotContain("pw-s3cret")
        .contains("store=jdbc:mariadb://db/app?user=app&PASSWORD=***");
  }

  @Test
  void killButtonOnlyInDemoMode() {
    assertThat(parse("--name", "n1").demo()).isEqualTo(NodeCommand.demoMode());
  }
}
