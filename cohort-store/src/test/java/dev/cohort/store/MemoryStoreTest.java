package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The contract on the in-memory reference store, so the contract itself is checked. */
class MemoryStoreTest extends SessionStoreContract {
  private Map<String, SessionRecord> data;

  @Override
  protected SessionStore open() {
    data = new ConcurrentHashMap<>();
    return new MemoryStore(data);
  }

  @Override
  protected SessionStore openSecond() {
    return new MemoryStore(data);
  }

  @Override
  protected int deleteExpired(SessionStore s, long nowMillis, int limit) {
    return ((MemoryStore) s).deleteExpired(nowMillis, limit);
  }
}
