package dev.cohort.store;

import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The database servers the ITs talk to (started by scripts/test-env-setup), overridable by
 * environment. Under CI=true an unreachable server fails the test; elsewhere it is skipped with the
 * reason.
 */
final class Servers {
  private Servers() {}

  record Db(String name, String url, String user, String password) {
    /** A store spec with the credentials and the given tables. */
    String spec(String sessionTable, String attributeTable) {
      return url
          + (url.contains("?") ? "&" : "?")
          + "user="
          + user
          + "&password="
          + password
          + "&cohort.sessionTable="
          + sessionTable
          + "&cohort.attributeTable="
          + attributeTable
          + "&cohort.connectTimeoutMs=2000";
    }

    void dropTables(String... tables) throws SQLException {
      try (Connection c = DriverManager.getConnection(url, user, password);
          Statement s = c.createStatement()) {
        for (String t : tables) {
          s.execute("DROP TABLE IF EXISTS " + t);
        }
        if (!c.getAutoCommit()) {
          c.commit();
        }
      }
    }
  }

  static Db postgres() {
    return require(
        true,
        new Db(
            "PostgreSQL",
            env("COHORT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/cohort"),
            env("COHORT_PG_USER", "cohort"),
            env("COHORT_PG_PASSWORD", "cohort")),
        "scripts/test-env-setup starts it");
  }

  /**
   * MariaDB is optional until scripts/test-env-setup starts it (docs/stores.md has the lines): a
   * missing server fails under CI=true only when COHORT_MARIADB_URL names one.
   */
  static Db mariadb() {
    return require(
        System.getenv("COHORT_MARIADB_URL") != null,
        new Db(
            "MariaDB",
            env("COHORT_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/cohort"),
            env("COHORT_MARIADB_USER", "cohort"),
            env("COHORT_MARIADB_PASSWORD", "cohort")),
        "see docs/stores.md for the setup lines");
  }

  /** A table name no other test run on this machine uses. */
  static String uniqueTable(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  private static Db require(boolean requiredUnderCi, Db db, String hint) {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
      if (!c.isValid(5)) {
        throw new SQLException("connection not valid");
      }
      return db;
    } catch (SQLException e) {
      String why =
          db.name()
              + " is not reachable at "
              + db.url()
              + " ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ") — "
              + hint;
      if (requiredUnderCi && "true".equals(System.getenv("CI"))) {
        fail("CI=true and " + why);
      }
      Assumptions.abort(why);
      throw new AssertionError(why);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
