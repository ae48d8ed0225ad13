package dev.cohort.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * The HikariCP pool of a {@link JdbcStore}. HikariCP is an optional dependency of this module (an
 * application that uses no JDBC store need not have it): this is the only class that names its
 * types, and {@link JdbcStore} loads it only after checking that HikariCP is on the class path.
 */
final class HikariPools {
  private HikariPools() {}

  /**
   * A started pool for {@code url}; the returned data source is also {@link AutoCloseable}.
   *
   * @throws RuntimeException what HikariCP throws when the first connection fails
   */
  static DataSource open(String url, JdbcStore.Settings settings, Dialect dialect) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null) {
      config.setPassword(settings.password());
    }
    config.setPoolName("cohort-store");
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(Math.min(1, settings.poolSize()));
    config.setConnectionTimeout(settings.connectTimeout().toMillis());
    config.setValidationTimeout(Math.max(250, settings.connectTimeout().toMillis() / 2));
    config.setInitializationFailTimeout(settings.connectTimeout().toMillis());
    config.setAutoCommit(false);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    int connectSeconds = (int) Math.max(1, settings.connectTimeout().toSeconds());
    int socketSeconds = (int) settings.queryTimeout().toSeconds() + 5;
    if (dialect == Dialect.POSTGRESQL) {
      config.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds));
      config.addDataSourceProperty("socketTimeout", String.valueOf(socketSeconds));
      config.addDataSourceProperty("loginTimeout", String.valueOf(connectSeconds));
    } else if (dialect == Dialect.MYSQL) {
      config.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds * 1000));
      config.addDataSourceProperty("socketTimeout", String.valueOf(socketSeconds * 1000));
    }
    return new HikariDataSource(config);
  }
}
