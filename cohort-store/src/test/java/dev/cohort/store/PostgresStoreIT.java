package dev.cohort.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract on the PostgreSQL server of scripts/test-env-setup, in tables of its own. */
class PostgresStoreIT extends SessionStoreContract {
  private Servers.Db db;
  private String sessions;
  private String attributes;
  private final List<String> created = new ArrayList<>();

  @Override
  protected SessionStore open() {
    db = Servers.postgres();
    sessions = Servers.uniqueTable("cs");
    attributes = sessions + "_attr";
    created.add(attributes);
    created.add(sessions);
    return Stores.open(db.spec(sessions, attributes));
  }

  @Override
  protected SessionStore openSecond() {
    return Stores.open(db.spec(sessions, attributes));
  }

  @Override
  protected int deleteExpired(SessionStore s, long nowMillis, int limit) {
    return ((JdbcStore) s).deleteExpired(nowMillis, limit);
  }

  @Test
  void wrongPassword_failsAtOpen_sayingWhy_withoutThePassword() {
    Servers.Db wrong = new Servers.Db("PostgreSQL", db.url(), db.user(), "not-the-password");
    assertThatThrownBy(() -> Stores.open(wrong.spec(sessions + "_x", sessions + "_y")))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("store: ")
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("not-the-password");
  }

  @AfterEach
  void dropTables() throws Exception {
    if (db != null) {
      db.dropTables(created.toArray(String[]::new));
    }
  }
}
