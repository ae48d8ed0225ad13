package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.store.SessionStore;
import dev.cohort.store.QueuedStore;
import dev.cohort.store.Stores;
import java.util.function.Function;

/**
 * An engine with a store: the store of the spec ({@link Stores#open}) behind a {@link QueuedStore},
 * so an outage never blocks a request (writes queue, bounded, and drain after recovery). Closing
 * the engine drains it first and then closes the store, which flushes its queue (up to its close
 * timeout) — a graceful stop loses no acknowledged write.
 */
final class StoredEngine extends ForwardingEngine implements StoreStatus {
  private final QueuedStore store;

  private StoredEngine(SessionEngine delegate, QueuedStore store) {
    super(delegate);
    this.store = store;
  }

  /**
   * Opens the store of {@code spec} (null: none) and builds the engine on it with {@code build}.
   */
  static SessionEngine create(String spec, Function<SessionStore, SessionEngine> build) {
    if (spec == null) {
      return build.apply(SessionStore.NONE);
    }
    QueuedStore store = new QueuedStore(Stores.open(spec));
    try {
      return new StoredEngine(build.apply(store), store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      store.close();
    }
  }

  @Override
  public boolean up() {
    return !store.outage();
  }

  @Override
  public long queued() {
    return store.queued();
  }

  @Override
  public long dropped() {
    return store.dropped();
  }

  @Override
  public long failures() {
    return store.failures();
  }

  @Override
  public long written() {
    return store.written();
  }
}
