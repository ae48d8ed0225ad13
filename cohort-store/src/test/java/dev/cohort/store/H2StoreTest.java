package dev.cohort.store;

import dev.cohort.core.store.SessionStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract on H2 embedded in a temp directory (the default store). */
class H2StoreTest extends SessionStoreContract {
  @TempDir Path dir;

  @Override
  protected SessionStore open() {
    return Stores.open("jdbc:h2:file:" + dir.resolve("db"));
  }

  @Override
  protected SessionStore openSecond() {
    return Stores.open("jdbc:h2:file:" + dir.resolve("db"));
  }

  @Override
  protected int deleteExpired(SessionStore s, long nowMillis, int limit) {
    return ((JdbcStore) s).deleteExpired(nowMillis, limit);
  }
}
