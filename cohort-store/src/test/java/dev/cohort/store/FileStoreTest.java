package dev.cohort.store;

import dev.cohort.core.store.SessionStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the file store in a temp directory. */
class FileStoreTest extends SessionStoreContract {
  @TempDir Path dir;

  @Override
  protected SessionStore open() {
    return Stores.open("file:" + dir.resolve("sessions"));
  }

  @Override
  protected SessionStore openSecond() {
    return FileStore.open(dir.resolve("sessions"));
  }

  @Override
  protected int deleteExpired(SessionStore s, long nowMillis, int limit) {
    return ((FileStore) s).deleteExpired(nowMillis, limit);
  }
}
