package dev.cohort.store;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The queue's outage behaviour over H2 embedded. */
class QueuedH2OutageTest extends QueuedJdbcOutageContract {
  @TempDir Path dir;

  @Override
  protected HikariDataSource pool() {
    return pool("jdbc:h2:file:" + dir.resolve("db"), "sa", "");
  }

  @Override
  protected Dialect dialect() {
    return Dialect.H2;
  }

  @Override
  protected Schema schema() {
    return Schema.DEFAULT;
  }
}
