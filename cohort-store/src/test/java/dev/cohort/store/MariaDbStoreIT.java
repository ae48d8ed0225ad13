package dev.cohort.store;

import dev.cohort.core.store.SessionStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The contract on the MariaDB server (see docs/stores.md for its setup), in tables of its own. */
class MariaDbStoreIT extends SessionStoreContract {
  private Servers.Db db;
  private String sessions;
  private String attributes;
  private final List<String> created = new ArrayList<>();

  @Override
  protected SessionStore open() {
    db = Servers.mariadb();
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

  @AfterEach
  void dropTables() throws Exception {
    if (db != null) {
      db.dropTables(created.toArray(String[]::new));
    }
  }
}
