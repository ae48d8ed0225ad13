package dev.cohort.core.store;

import dev.cohort.core.session.SessionRecord;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Keeps nothing. */
final class NoStore implements SessionStore {
  @Override
  public Optional<SessionRecord> load(String id) {
    return Optional.empty();
  }

  @Override
  public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {}

  @Override
  public void delete(String id) {}

  @Override
  public List<String> findExpired(long nowMillis, int limit) {
    return List.of();
  }

  @Override
  public List<String> ids() {
    return List.of();
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "no store";
  }
}
