package dev.cohort.core.store;

import dev.cohort.core.session.SessionRecord;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Durable storage of session records: the persistent manager's only copy, or the durable tier under
 * replication. Implementations: {@code cohort-store} (JDBC, file) and {@link #NONE}.
 *
 * <p>Thread-safe. Every method may block on I/O and throws {@link StoreException} when the back-end
 * fails; decorators add queueing during outages, metrics and so on.
 */
public interface SessionStore extends AutoCloseable {

  /** A store that keeps nothing (the null object used when no store is configured). */
  SessionStore NONE = new NoStore();

  /**
   * The stored record of {@code id}, or empty. A store may refuse an id it could never hold (see
   * the back-end's id rule) with {@link IllegalArgumentException}; the engine takes that as "no
   * such session".
   */
  Optional<SessionRecord> load(String id);

  /**
   * Writes {@code record}. {@code changed} and {@code removed} name the attributes that differ from
   * the previously saved version of the record, so a back-end can leave other attributes untouched;
   * {@code full} says that the whole record must be written (first save, or when the caller does
   * not know what the store holds).
   */
  void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full);

  void delete(String id);

  /**
   * Ids of sessions idle past their max inactive interval at {@code nowMillis}, at most {@code
   * limit}.
   */
  List<String> findExpired(long nowMillis, int limit);

  /** Every stored id (for a cluster that starts empty and loads the store). */
  List<String> ids();

  /**
   * Completes when every write for {@code id} handed to this store so far has reached the back-end;
   * fails when such a write was given up (dropped from a full queue, store closed). A store that
   * writes synchronously (the default) has nothing pending: the future is complete. Queueing
   * decorators override it so a caller can wait for durability ({@code storeSync}).
   */
  default CompletableFuture<Void> whenSaved(String id) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  void close();
}
