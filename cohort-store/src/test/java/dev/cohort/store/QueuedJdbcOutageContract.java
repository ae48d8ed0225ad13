package dev.cohort.store;

import static dev.cohort.store.Records.attrs;
import static dev.cohort.store.Records.record;
import static dev.cohort.store.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cohort.core.session.SessionRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link QueuedStore} over a real {@link JdbcStore} whose database goes away and comes back:
 * saves never block or throw, and afterwards the database holds every session's last change.
 */
@Timeout(120)
abstract class QueuedJdbcOutageContract {

  protected abstract HikariDataSource pool();

  protected abstract Dialect dialect();

  protected abstract Schema schema();

  static HikariDataSource pool(String url, String user, String password) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setUsername(user);
    c.setPassword(password);
    c.setMaximumPoolSize(2);
    c.setAutoCommit(false);
    c.setConnectionTimeout(2000);
    return new HikariDataSource(c);
  }

  @Test
  void outage_neitherBlocksNorLosesTheLastChangeOfAnySession() {
    try (HikariDataSource pool = pool()) {
      FailingDataSource failing = new FailingDataSource(pool);
      JdbcStore jdbc = JdbcStore.on(failing.dataSource(), dialect(), schema(), 5);
      QueuedStore q =
          new QueuedStore(
              jdbc,
              QueuedStore.Settings.defaults()
                  .withBatchSize(50)
                  .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50)));
      try {
        for (int s = 0; s < 100; s++) {
          q.save(
              record("s" + s, 1, attrs("counter", "1", "big", "x".repeat(2000))),
              Set.of(),
              Set.of(),
              true);
        }
        q.flush(Duration.ofSeconds(30));

        failing.goDown();
        for (int v = 2; v <= 6; v++) {
          for (int s = 0; s < 100; s++) {
            q.save(
                record("s" + s, v, attrs("counter", "" + v, "big", "x".repeat(2000))),
                Set.of("counter"),
                Set.of(),
                false);
          }
        }
        await().atMost(Duration.ofSeconds(30)).until(q::outage);
        assertThat(q.queued()).isEqualTo(100);
        assertThat(failing.refused.get()).isPositive();

        failing.comeBack();
        q.flush(Duration.ofSeconds(60));
        assertThat(q.outage()).isFalse();
        assertThat(q.dropped()).isZero();

        JdbcStore check = JdbcStore.on(pool, dialect(), schema(), 5);
        assertThat(check.ids()).hasSize(100);
        for (int s = 0; s < 100; s++) {
          SessionRecord r = check.load("s" + s).orElseThrow();
          assertThat(r.version()).isEqualTo(6);
          assertThat(text(r)).isEqualTo(Map.of("counter", "6", "big", "x".repeat(2000)));
        }
      } finally {
        failing.comeBack();
        q.close();
      }
    }
  }
}
