package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted back-end for the queue's tests: a {@link MemoryStore} that can be made to fail every
 * call ({@link #goDown()}), to hang inside the next write until released ({@link
 * #hangNextWrite()}), and that records what each save was asked to write.
 */
final class FlakyStore implements SessionStore {
  record Save(String id, long version, Set<String> changed, Set<String> removed, boolean full) {}

  final MemoryStore data = new MemoryStore();
  final List<Save> saves = new CopyOnWriteArrayList<>();
  final AtomicInteger failedCalls = new AtomicInteger();
  private volatile boolean down;
  private volatile CountDownLatch hangEntered;
  private volatile CountDownLatch hangRelease;

  void goDown() {
    down = true;
  }

  void comeBack() {
    down = false;
  }

  /** The next write blocks until {@link #release()}; returns a latch that opens when it does. */
  CountDownLatch hangNextWrite() {
    hangRelease = new CountDownLatch(1);
    hangEntered = new CountDownLatch(1);
    return hangEntered;
  }

  void release() {
    hangRelease.countDown();
  }

  private void beforeWrite() {
    CountDownLatch release = hangRelease;
    if (release != null && hangEntered.getCount() > 0) {
      hangEntered.countDown();
      try {
        if (!release.await(60, TimeUnit.SECONDS)) {
          throw new StoreException("flaky: never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("flaky: interrupted", e);
      }
    }
    check();
  }

  private void check() {
    if (down) {
      failedCalls.incrementAndGet();
      throw new StoreException("flaky: back-end is down");
    }
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    check();
    return data.load(id);
  }

  @Override
  public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
    beforeWrite();
    saves.add(new Save(record.id(), record.version(), changed, removed, full));
    data.save(record, changed, removed, full);
  }

  @Override
  public void delete(String id) {
    beforeWrite();
    data.delete(id);
  }

  @Override
  public List<String> findExpired(long nowMillis, int limit) {
    check();
    return data.findExpired(nowMillis, limit);
  }

  @Override
  public List<String> ids() {
    check();
    return data.ids();
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "flaky store";
  }
}
