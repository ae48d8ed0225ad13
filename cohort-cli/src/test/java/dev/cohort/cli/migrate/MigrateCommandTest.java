package dev.cohort.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cli.CliRun;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code cohort migrate} on the cluster examples of Tomcat's own documentation (copied into
 * src/test/resources/migrate from the 10.1.59 distribution's docs/cluster-howto.html), and on files
 * it cannot read.
 */
class MigrateCommandTest {
  @TempDir Path dir;

  private static Path example(String name) throws URISyntaxException {
    return Path.of(MigrateCommandTest.class.getResource("/migrate/" + name).toURI());
  }

  // each .migrated file is the command's output, reviewed (the file's path written FILE)
  @ParameterizedTest
  @ValueSource(strings = {"minimal", "deltamanager", "backupmanager"})
  void tomcatsDocumentationExamples_migrateAsReviewed(String example) throws Exception {
    Path xml = example("cluster-howto-" + example + ".xml");

    CliRun r = CliRun.of("migrate", xml.toString());

    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out().replace(xml.toString(), "FILE"))
        .isEqualTo(Files.readString(example("cluster-howto-" + example + ".migrated")));
  }

  @Test
  void aServerXmlWithoutCluster_saysSo() throws Exception {
    Path xml = Files.writeString(dir.resolve("server.xml"), "<Server><Service/></Server>");
    CliRun r = CliRun.of("migrate", xml.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains(xml + " has no <Cluster> element: nothing to migrate");
  }

  @Test
  void unreadableFile_exits2_withOneLineNamingIt() {
    Path missing = dir.resolve("missing-server.xml");
    CliRun r = CliRun.of("migrate", missing.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("cohort migrate: cannot read " + missing);
  }

  @Test
  void malformedXml_exits2_namingTheFileAndLine() throws Exception {
    Path xml = Files.writeString(dir.resolve("server.xml"), "<Server>\n  <Cluster>\n</Server>\n");
    CliRun r = CliRun.of("migrate", xml.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("cohort migrate: " + xml + " is not well-formed XML (line 3,");
  }

  @Test
  void noFile_isBadUsage() {
    CliRun r = CliRun.of("migrate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("SERVER_XML");
  }
}
