package dev.cohort.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import dev.cohort.testkit.WithoutClasses;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HikariCP and the JDBC drivers are optional dependencies: an application without them can use the
 * file store, and one that names a JDBC store without them gets an error that says what to add.
 */
class OptionalDependenciesTest {
  private static final List<String> STORE = List.of("dev.cohort.store.");
  @TempDir Path dir;

  private static Throwable open(WithoutClasses loader, String spec) {
    return catchThrowable(
        () ->
            ((SessionStore)
                    loader.call(
                        "dev.cohort.store.Stores", "open", new Class<?>[] {String.class}, spec))
                .close());
  }

  @Test
  void withoutHikariCp_aJdbcStoreFails_namingThePool() throws Exception {
    try (WithoutClasses loader =
        WithoutClasses.of(List.of("com.zaxxer.hikari."), STORE, Stores.class)) {
      Throwable t = open(loader, "jdbc:h2:mem:nopool");
      assertThat(t)
          .isInstanceOf(StoreException.class)
          .hasMessage(
              "store: jdbc:h2 stores need the HikariCP connection pool, which is not on the class"
                  + " path — add HikariCP, the dependency com.zaxxer:HikariCP");
    }
  }

  @Test
  void withoutTheDriver_aJdbcStoreFails_namingTheDriversArtifact() throws Exception {
    try (WithoutClasses loader =
        WithoutClasses.of(List.of("org.h2.", "org.postgresql."), STORE, Stores.class)) {
      assertThat(open(loader, "jdbc:h2:mem:nodriver"))
          .isInstanceOf(StoreException.class)
          .hasMessage(
              "store: no JDBC driver for jdbc:h2 on the class path — add H2's driver, the"
                  + " dependency com.h2database:h2");
      assertThat(open(loader, "jdbc:postgresql://127.0.0.1:1/db?user=u&password=s3cret"))
          .isInstanceOf(StoreException.class)
          .hasMessage(
              "store: no JDBC driver for jdbc:postgresql on the class path — add PostgreSQL's"
                  + " driver, the dependency org.postgresql:postgresql");
    }
  }

  @Test
  void withoutPoolAndDrivers_theFileStoreWorks() throws Throwable {
    try (WithoutClasses loader =
        WithoutClasses.of(
            List.of("com.zaxxer.hikari.", "org.h2.", "org.postgresql."), STORE, Stores.class)) {
      Object store =
          loader.call(
              "dev.cohort.store.Stores",
              "open",
              new Class<?>[] {String.class},
              "file:" + dir.resolve("sessions"));
      assertThat(store.getClass().getClassLoader()).isSameAs(loader);
      ((SessionStore) store).close();
    }
  }

  @Test
  void withThem_theSameCheckPasses() {
    JdbcStore.requireOnClassPath(Dialect.H2, "jdbc:h2:mem:x");
    JdbcStore.requireOnClassPath(Dialect.POSTGRESQL, "jdbc:postgresql://127.0.0.1/db");
    assertThat(
            catchThrowable(
                () -> JdbcStore.requireOnClassPath(Dialect.MYSQL, "jdbc:mysql://127.0.0.1/db")))
        .hasMessageEndingWith("add MySQL's driver, the dependency com.mysql:mysql-connector-j");
  }
}
