package dev.cohort.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cohort.core.store.SessionStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class StoresTest {
  @TempDir Path dir;

  @Test
  void badSpecs_failWithAMessageStartingWithStore_andNeverEchoCredentials() {
    for (String spec :
        new String[] {
          "",
          "   ",
          "redis://127.0.0.1:6379",
          "jdbc:oracle:thin:scott/tiger@host",
          "jdbc:h2:tcp://127.0.0.1/db",
          "file:",
          "file://remote-host/dir",
          "jdbc:postgresql://127.0.0.1/db?user=u&password=s3cret&cohort.poolSize=many",
          "jdbc:postgresql://127.0.0.1/db?password=s3cret&cohort.bogus=1",
          "jdbc:postgresql://127.0.0.1/db?password=s3cret&cohort.sessionTable=x;drop",
          "jdbc:postgresql://127.0.0.1/db?password=s3cret&cohort.poolSize=0"
        }) {
      assertThatThrownBy(() -> Stores.open(spec))
          .as(spec)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("store: ")
          .hasMessageNotContaining("s3cret")
          .hasMessageNotContaining("tiger");
    }
    assertThatThrownBy(() -> Stores.open(null)).hasMessageStartingWith("store: ");
  }

  @Test
  void cohortOptions_areTakenOutOfTheUrl() {
    JdbcStore.Settings s =
        Stores.settings(
            "jdbc:postgresql://127.0.0.1:5432/db?user=u&cohort.sessionTable=app1_sessions"
                + "&password=p&cohort.attributeTable=app1_attrs&cohort.poolSize=8"
                + "&cohort.column.last_access=last_access_ms&cohort.connectTimeoutMs=500"
                + "&cohort.queryTimeoutSeconds=2",
            Dialect.POSTGRESQL);
    assertThat(s.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/db?user=u&password=p");
    assertThat(s.schema().sessionTable()).isEqualTo("app1_sessions");
    assertThat(s.schema().attributeTable()).isEqualTo("app1_attrs");
    assertThat(s.schema().col("last_access")).isEqualTo("last_access_ms");
    assertThat(s.poolSize()).isEqualTo(8);
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.queryTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void fileSpecs_openAFileStore() {
    try (SessionStore a = Stores.open("file:" + dir.resolve("a"));
        SessionStore b = Stores.open("file://" + dir.resolve("b"))) {
      assertThat(a).isInstanceOf(FileStore.class);
      assertThat(((FileStore) a).directory()).isEqualTo(dir.resolve("a"));
      assertThat(((FileStore) b).directory()).isEqualTo(dir.resolve("b"));
    }
  }

  @Test
  void defaultStore_isH2UnderTheDataDirectory() {
    try (SessionStore s = Stores.defaultStore(dir)) {
      assertThat(s).isInstanceOf(JdbcStore.class);
      assertThat(s.toString()).contains("H2");
      assertThat(dir.resolve("sessions.mv.db")).exists();
    }
  }

  @Test
  void unreachableDatabase_failsFastWithAStoreException() {
    assertThatThrownBy(
            () ->
                Stores.open(
                    "jdbc:postgresql://127.0.0.1:1/none?user=u&password=s3cret"
                        + "&cohort.connectTimeoutMs=500"))
        .isInstanceOf(dev.cohort.core.store.StoreException.class)
        .hasMessageStartingWith("store: ")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void driverErrors_quotingTheUrl_reachNeitherTheMessageNorTheCauses() {
    // no MySQL driver on this class path: the pool says it has none for this URL, quoting it
    for (String spec :
        new String[] {
          "jdbc:mysql://app:s3cret@127.0.0.1:1/none?cohort.connectTimeoutMs=500",
          "jdbc:mysql://127.0.0.1:1/none?user=app&password=s3cret&cohort.connectTimeoutMs=500",
          "jdbc:postgresql://127.0.0.1:1/none?user=app&password=s3cret&cohort.connectTimeoutMs=500"
        }) {
      Throwable t = catchThrowable(() -> Stores.open(spec).close());
      assertThat(t).as(spec).isInstanceOf(dev.cohort.core.store.StoreException.class);
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).as(spec).doesNotContain("s3cret").contains("store: ");
    }
  }

  @Test
  void h2Files_andTheDirectoryCreatedForThem_areTheOwnersOnly() throws Exception {
    Path db = dir.resolve("new-dir").resolve("sessions");
    try (SessionStore s = Stores.open("jdbc:h2:file:" + db)) {
      assertThat(permissions(db.getParent())).isEqualTo("rwx------");
      assertThat(permissions(dir.resolve("new-dir").resolve("sessions.mv.db")))
          .isEqualTo("rw-------");
    }
    try (SessionStore s = Stores.defaultStore(dir.resolve("data"))) {
      assertThat(permissions(dir.resolve("data"))).isEqualTo("rwx------");
      assertThat(permissions(dir.resolve("data").resolve("sessions.mv.db"))).isEqualTo("rw-------");
    }
  }

  static String permissions(Path p) throws java.io.IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void relativeH2Paths_becomeAbsolute_andOptionsAreKept() {
    String cwd = Path.of("").toAbsolutePath().toString();
    assertThat(Stores.absoluteH2Path("jdbc:h2:file:data/db;MODE=PostgreSQL"))
        .isEqualTo("jdbc:h2:file:" + cwd + "/data/db;MODE=PostgreSQL");
    assertThat(Stores.absoluteH2Path("jdbc:h2:file:/abs/db?cohort.poolSize=2"))
        .isEqualTo("jdbc:h2:file:/abs/db?cohort.poolSize=2");
    assertThat(Stores.absoluteH2Path("jdbc:h2:file:~/db")).isEqualTo("jdbc:h2:file:~/db");
    assertThatThrownBy(() -> Stores.open("jdbc:h2:file:;MODE=x")).hasMessageStartingWith("store: ");
  }

  @Test
  void queueSettings_thatConflict_nameBothFields() {
    assertThatThrownBy(() -> QueuedStore.Settings.defaults().withCapacity(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchSize 200")
        .hasMessageContaining("capacity 10");
  }

  @Test
  void validIds_followTheStoreRule() {
    assertThat(Stores.isValidId("A1b2_C3-d4")).isTrue();
    assertThat(Stores.isValidId("../x")).isFalse();
    assertThat(Stores.isValidId("x".repeat(201))).isFalse();
  }

  @Test
  void h2FileSpecs_commitToDiskBeforeReturning_unlessTheSpecSaysOtherwise() {
    assertThat(Stores.durableH2("jdbc:h2:file:/abs/db"))
        .isEqualTo("jdbc:h2:file:/abs/db;WRITE_DELAY=0");
    assertThat(Stores.durableH2("jdbc:h2:file:/abs/db?cohort.poolSize=2"))
        .isEqualTo("jdbc:h2:file:/abs/db;WRITE_DELAY=0?cohort.poolSize=2");
    assertThat(Stores.durableH2("jdbc:h2:file:/abs/db;write_delay=200"))
        .isEqualTo("jdbc:h2:file:/abs/db;write_delay=200");
  }

  @Test
  void batchErrors_areDescribedWithoutTheirStatementText() {
    var e =
        new java.sql.BatchUpdateException(
            "Batch entry 0 INSERT ... VALUES (('SESSIONID123'))", "08006", 0, new int[0]);
    assertThat(JdbcStore.describe(e)).contains("08006").doesNotContain("SESSIONID123");
  }
}
