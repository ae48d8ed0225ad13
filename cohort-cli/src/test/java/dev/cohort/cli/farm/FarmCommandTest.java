package dev.cohort.cli.farm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cli.Main;
import dev.cohort.cli.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FarmCommandTest {
  @TempDir Path tmp;

  private record Outcome(int exit, String err) {}

  private static Outcome run(String... args) {
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
    return new Outcome(exit, err.toString());
  }

  @Test
  void missingFile_isBadUsage_namingTheParameter() {
    Outcome o = run("farm", "deploy", tmp.resolve("nope.war").toString());
    assertThat(o.exit()).isEqualTo(Main.USAGE);
    assertThat(o.err()).contains("FILE.war").hasLineCount(1);
  }

  @Test
  void badNameOrNodeUrl_isBadUsage_namingTheOption() throws Exception {
    Path war = Files.write(tmp.resolve("shop.war"), new byte[] {1, 2, 3});
    Outcome name = run("farm", "deploy", war.toString(), "--name", "a/b");
    assertThat(name.exit()).isEqualTo(Main.USAGE);
    assertThat(name.err()).contains("--name");
    Outcome node = run("farm", "deploy", war.toString(), "--node", "ftp://host");
    assertThat(node.exit()).isEqualTo(Main.USAGE);
    assertThat(node.err()).contains("--node");
    Outcome list = run("farm", "list", "--node", "not a url");
    assertThat(list.exit()).isEqualTo(Main.USAGE);
    assertThat(list.err()).contains("--node");
  }

  @Test
  void nodeFarmOptions_areChecked_beforeAnythingStarts() throws Exception {
    Path file = Files.write(tmp.resolve("file"), new byte[] {1});
    Outcome dir = run("node", "--name", "n1", "--farm-dir", file.toString());
    assertThat(dir.exit()).isEqualTo(Main.USAGE);
    assertThat(dir.err()).contains("--farm-dir", "not a directory");
    Outcome port = run("node", "--name", "n1", "--farm-port", "9000");
    assertThat(port.exit()).isEqualTo(Main.USAGE);
    assertThat(port.err()).contains("--farm-port", "only with --farm-dir");
  }

  @Test
  void rollout_printsEveryNode_andSaysWhetherItWasDoneEverywhere() {
    String json =
        "{\"name\":\"shop\",\"version\":\"2@n1\",\"sha256\":\""
            + "ab".repeat(32)
            + "\",\"ok\":false,\"nodes\":{\"n1\":{\"ok\":true,\"detail\":\"running\"},"
            + "\"n2\":{\"ok\":false,\"detail\":\"deploying [shop] failed on n2: no\"}}}";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean ok =
        FarmCommand.printRollout(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), Json.object(json));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(ok).isFalse();
    assertThat(out)
        .contains("shop version 2@n1 (sha256 abababababab): NOT done everywhere")
        .contains("n1           ok     running")
        .contains("n2           FAILED deploying [shop] failed on n2: no");
  }

  @Test
  void list_printsVersionDigestAndEachNodesState_skippingRemovedApps() {
    String json =
        "{\"node\":\"n1\",\"ready\":true,\"members\":[\"n1\",\"n2\"],\"apps\":["
            + "{\"name\":\"shop\",\"version\":\"3@n2\",\"sha256\":\""
            + "cd".repeat(32)
            + "\",\"size\":2290,\"removed\":false,\"nodes\":{"
            + "\"n1\":{\"state\":\"RUNNING\",\"running\":\"3@n2\",\"wanted\":\"3@n2\",\"error\":null},"
            + "\"n2\":{\"state\":\"FAILED\",\"running\":\"2@n2\",\"wanted\":\"3@n2\",\"error\":\"x\"}}},"
            + "{\"name\":\"old\",\"version\":\"4@n1\",\"sha256\":null,\"size\":0,\"removed\":true,"
            + "\"nodes\":{}}],\"unreachable\":[]}";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FarmCommand.printList(new PrintStream(bytes, true, StandardCharsets.UTF_8), Json.object(json));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("farm of node n1 (ready): 1 application(s)")
        .contains("shop  version 3@n2  sha256 cdcdcdcdcdcd  2290 bytes")
        .contains("n1           RUNNING  running 3@n2")
        .contains("n2           FAILED   running 2@n2 — x")
        .doesNotContain("old");
  }
}
