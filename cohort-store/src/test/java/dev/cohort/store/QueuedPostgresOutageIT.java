package dev.cohort.store;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;

/**
 * The queue's outage behaviour over the real PostgreSQL. The outage is a failing wrapper around the
 * pool, not a stopped server: other test suites on this machine share that server.
 */
class QueuedPostgresOutageIT extends QueuedJdbcOutageContract {
  private final Servers.Db db = Servers.postgres();
  private final String table = Servers.uniqueTable("qo");

  @Override
  protected HikariDataSource pool() {
    return pool(db.url(), db.user(), db.password());
  }

  @Override
  protected Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  protected Schema schema() {
    return Schema.DEFAULT.withSessionTable(table).withAttributeTable(table + "_attr");
  }

  @AfterEach
  void drop() throws Exception {
    db.dropTables(table + "_attr", table);
  }
}
