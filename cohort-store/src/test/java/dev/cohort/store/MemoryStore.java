package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory reference store for the contract test and the queue's fault tests. */
final class MemoryStore implements SessionStore {
  final Map<String, SessionRecord> records;

  MemoryStore() {
    this(new ConcurrentHashMap<>());
  }

  MemoryStore(Map<String, SessionRecord> shared) {
    this.records = shared;
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return Optional.ofNullable(records.get(SessionIds.check(id)));
  }

  @Override
  public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
    SessionIds.check(record.id());
    records.merge(record.id(), record, (old, now) -> old.version() > now.version() ? old : now);
  }

  @Override
  public void delete(String id) {
    records.remove(SessionIds.check(id));
  }

  @Override
  public List<String> findExpired(long nowMillis, int limit) {
    return records.values().stream()
        .filter(r -> r.isExpired(nowMillis))
        .limit(limit)
        .map(SessionRecord::id)
        .toList();
  }

  int deleteExpired(long nowMillis, int limit) {
    int n = 0;
    for (String id : new ArrayList<>(records.keySet())) {
      if (n >= limit) {
        break;
      }
      SessionRecord r = records.get(id);
      if (r != null && r.isExpired(nowMillis) && records.remove(id, r)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public List<String> ids() {
    return List.copyOf(records.keySet());
  }

  @Override
  public void close() {}
}
