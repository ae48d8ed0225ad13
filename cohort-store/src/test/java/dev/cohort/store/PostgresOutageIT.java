package dev.cohort.store;

import static dev.cohort.store.Records.attrs;
import static dev.cohort.store.Records.record;
import static dev.cohort.store.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real network faults between the store and PostgreSQL, through a TCP proxy on 127.0.0.1: the
 * connection is cut (server gone) or frozen (network hangs). The shared server itself keeps
 * running.
 */
@Timeout(120)
class PostgresOutageIT {
  private Servers.Db db;
  private TcpProxy proxy;
  private String table;

  @BeforeEach
  void start() throws Exception {
    db = Servers.postgres();
    URI uri = URI.create(db.url().substring("jdbc:".length()));
    proxy = new TcpProxy(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
    table = Servers.uniqueTable("po");
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    db.dropTables(table + "_attr", table);
  }

  private String spec(int queryTimeoutSeconds) {
    URI uri = URI.create(db.url().substring("jdbc:".length()));
    String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + uri.getRawPath();
    return new Servers.Db("proxied", url, db.user(), db.password()).spec(table, table + "_attr")
        + "&cohort.queryTimeoutSeconds="
        + queryTimeoutSeconds;
  }

  @Test
  void cutConnection_queuesWritesWithoutBlocking_andDrainsWhenTheServerIsBack() throws Exception {
    try (QueuedStore q =
        new QueuedStore(
            Stores.open(spec(5)),
            QueuedStore.Settings.defaults()
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))) {
      for (int s = 0; s < 50; s++) {
        q.save(record("s" + s, 1, attrs("n", "1")), Set.of(), Set.of(), true);
      }
      q.flush(Duration.ofSeconds(30));

      proxy.cut();
      for (int v = 2; v <= 4; v++) {
        for (int s = 0; s < 50; s++) {
          q.save(record("s" + s, v, attrs("n", "" + v)), Set.of("n"), Set.of(), false);
        }
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(q.outage())
                      .as(
                          "outage after the cut (back-end failures %d, writes %d)",
                          q.failures(), q.written())
                      .isTrue());
      assertThat(q.queued()).isEqualTo(50);

      proxy.restore();
      q.flush(Duration.ofSeconds(60));
      assertThat(q.outage()).isFalse();
    }
    try (SessionStore check = Stores.open(db.spec(table, table + "_attr"))) {
      for (int s = 0; s < 50; s++) {
        SessionRecord r = check.load("s" + s).orElseThrow();
        assertThat(r.version()).isEqualTo(4);
        assertThat(text(r)).isEqualTo(Map.of("n", "4"));
      }
    }
  }

  @Test
  void frozenNetwork_failsTheWriteWithAStoreException_insteadOfHanging() throws Exception {
    try (SessionStore store = Stores.open(spec(1))) {
      store.save(record("before", 1, attrs("n", "1")), Set.of(), Set.of(), true);
      proxy.freeze();
      assertThatThrownBy(
              () -> store.save(record("during", 1, attrs("n", "1")), Set.of(), Set.of(), true))
          .isInstanceOf(StoreException.class)
          .hasMessageStartingWith("store: save failed [PostgreSQL, 1 session]");
      proxy.restore();
      // the pool replaces the broken connection: the next write works
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptionsInstanceOf(StoreException.class)
          .untilAsserted(
              () -> {
                store.save(record("after", 1, attrs("n", "1")), Set.of(), Set.of(), true);
                assertThat(store.load("after")).isPresent();
              });
    }
  }
}
