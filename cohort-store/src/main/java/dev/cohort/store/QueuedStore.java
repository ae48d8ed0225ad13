package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link SessionStore} decorator that makes writes asynchronous, so a slow or failed back-end
 * never blocks a request.
 *
 * <p>Design: {@link #save} and {@link #delete} put the session's newest state into a bounded map
 * (one entry per session id; a later write coalesces into the pending one, keeping the union of
 * changed names) and return at once. One writer thread drains the oldest entries in batches of up
 * to {@link Settings#batchSize()}; a {@link JdbcStore} writes a batch in one transaction. When the
 * back-end fails, the batch goes back into the map, {@link #outage()} turns true and the writer
 * retries with a growing pause (up to {@link Settings#maxBackoff()}); the first success ends the
 * outage and the queue drains. When the map is full, the oldest entry is dropped and counted
 * ({@link #dropped()}), logged once per outage and then at most once a minute.
 *
 * <p>Reads see unsaved state: {@link #load} answers from the queue (a pending save or delete)
 * before asking the back-end, so the newest state wins. {@link #findExpired} and {@link #ids} merge
 * the queue with the back-end's answer.
 *
 * <p>Threading: thread-safe; one lock guards the map and is held only for map operations, never
 * during back-end I/O. {@link #close} flushes for up to {@link Settings#closeTimeout()}, then stops
 * the writer and closes the back-end; writes still queued then are lost and logged (count only).
 *
 * <p>(Longer than most classes here: the queue, its writer and its counters share one lock, and
 * splitting them would spread that invariant over several files.)
 */
public final class QueuedStore implements SessionStore {
  private static final System.Logger LOG = System.getLogger(QueuedStore.class.getName());
  private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  /**
   * @param capacity most sessions with unsaved state (default 100,000)
   * @param batchSize most sessions written in one back-end call (default 200)
   * @param minBackoff first pause after a failure (default 100 ms)
   * @param maxBackoff longest pause between retries during an outage (default 5 s)
   * @param closeTimeout how long {@link #close} waits for the queue to drain (default 10 s)
   */
  public record Settings(
      int capacity,
      int batchSize,
      Duration minBackoff,
      Duration maxBackoff,
      Duration closeTimeout) {
    public Settings {
      if (capacity < 1) {
        throw new IllegalArgumentException("store: queue capacity " + capacity + " must be >= 1");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("store: queue batchSize " + batchSize + " must be >= 1");
      }
      if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException(
            "store: queue minBackoff must be > 0 and maxBackoff >= minBackoff (got "
                + minBackoff.toMillis()
                + " ms, "
                + maxBackoff.toMillis()
                + " ms)");
      }
      if (batchSize > capacity) {
        throw new IllegalArgumentException(
            "store: queue batchSize "
                + batchSize
                + " is larger than capacity "
                + capacity
                + " — a batch must fit in the queue");
      }
      Objects.requireNonNull(closeTimeout, "closeTimeout");
    }

    public static Settings defaults() {
      return new Settings(
          100_000, 200, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    public Settings withCapacity(int n) {
      return new Settings(n, batchSize, minBackoff, maxBackoff, closeTimeout);
    }

    public Settings withBackoff(Duration min, Duration max) {
      return new Settings(capacity, batchSize, min, max, closeTimeout);
    }

    public Settings withBatchSize(int n) {
      return new Settings(capacity, n, minBackoff, maxBackoff, closeTimeout);
    }
  }

  private final SessionStore delegate;
  private final Settings settings;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition drained = lock.newCondition();
  // guarded by lock: oldest first; re-inserted on every write so "oldest" means least recently
  private final LinkedHashMap<String, PendingWrite> queue = new LinkedHashMap<>();
  private final Map<String, PendingWrite> inFlight = new HashMap<>();
  // guarded by lock: callers of whenSaved, per id, until no write for the id is pending
  private final Map<String, List<CompletableFuture<Void>>> waiters = new HashMap<>();
  private final Thread writer;
  private boolean closing;
  private boolean outage;
  private long dropped;
  private long droppedLogged;
  private long lastDropLog;
  private long written;
  private long failures;

  /** Wraps {@code delegate} with {@link Settings#defaults()}. */
  public QueuedStore(SessionStore delegate) {
    this(delegate, Settings.defaults());
  }

  /** Wraps {@code delegate} and starts the writer thread ({@code cohort-store-writer}, daemon). */
  public QueuedStore(SessionStore delegate, Settings settings) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.writer = new Thread(this::drainLoop, "cohort-store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  // ----------------------------------------------------------------------------- the SPI

  /** Queues the write and returns at once; never blocks on the back-end, never throws for it. */
  @Override
  public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
    SessionIds.check(record.id());
    enqueue(PendingWrite.save(record, changed, removed, full));
  }

  /** Queues the delete and returns at once. */
  @Override
  public void delete(String id) {
    enqueue(PendingWrite.delete(SessionIds.check(id)));
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.check(id);
    lock.lock();
    try {
      PendingWrite p = queue.get(id);
      if (p == null) {
        p = inFlight.get(id);
      }
      if (p != null) {
        return Optional.ofNullable(p.record());
      }
    } finally {
      lock.unlock();
    }
    // not queued: the writer removes an entry from inFlight only after the back-end has it
    return delegate.load(id);
  }

  @Override
  public List<String> findExpired(long nowMillis, int limit) {
    Map<String, PendingWrite> pending = pendingSnapshot();
    Set<String> result = new LinkedHashSet<>();
    for (PendingWrite p : pending.values()) {
      if (result.size() < limit && !p.isDelete() && p.record().isExpired(nowMillis)) {
        result.add(p.id());
      }
    }
    if (result.size() < limit) {
      for (String id : delegate.findExpired(nowMillis, limit + pending.size())) {
        if (result.size() >= limit) {
          break;
        }
        if (!pending.containsKey(id)) {
          result.add(id);
        }
      }
    }
    return List.copyOf(result);
  }

  @Override
  public List<String> ids() {
    Map<String, PendingWrite> pending = pendingSnapshot();
    Set<String> result = new LinkedHashSet<>(delegate.ids());
    for (PendingWrite p : pending.values()) {
      if (p.isDelete()) {
        result.remove(p.id());
      } else {
        result.add(p.id());
      }
    }
    return List.copyOf(result);
  }

  /**
   * Completes when no write for {@code id} is queued or being written any more (the newest one
   * reached the back-end); fails with {@link StoreException} when it was dropped (full queue, a
   * write the back-end refuses), when a back-end write fails (an outage: the write stays queued and
   * is retried, but nobody should wait for it) or when the store closed first. Callers still bound
   * the wait: a hanging back-end neither succeeds nor fails.
   */
  @Override
  public CompletableFuture<Void> whenSaved(String id) {
    lock.lock();
    try {
      if (!queue.containsKey(id) && !inFlight.containsKey(id)) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
      return f;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Flushes for up to {@link Settings#closeTimeout()}, stops the writer and closes the back-end.
   * Writes still queued are lost; their count is logged.
   */
  @Override
  public void close() {
    try {
      flush(settings.closeTimeout());
    } catch (StoreException e) {
      LOG.log(System.Logger.Level.WARNING, e.getMessage());
    }
    int lost;
    lock.lock();
    try {
      closing = true;
      lost = queue.size() + inFlight.size();
      for (String id : new ArrayList<>(waiters.keySet())) {
        failWaiters(id, "the store closed before the write reached it");
      }
      work.signalAll();
    } finally {
      lock.unlock();
    }
    writer.interrupt();
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (lost > 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "store: closed with "
              + lost
              + " session writes not saved: the back-end ("
              + delegate
              + ") was unavailable — they are lost");
    }
    delegate.close();
  }

  // --------------------------------------------------------------------------- the extras

  /** True from a failed back-end write until the next successful one. */
  public boolean outage() {
    lock.lock();
    try {
      return outage;
    } finally {
      lock.unlock();
    }
  }

  /** Sessions with unsaved state (queued or being written). */
  public long queued() {
    lock.lock();
    try {
      return queue.size() + inFlight.size();
    } finally {
      lock.unlock();
    }
  }

  /** Session writes dropped because the queue was full (the oldest went first). */
  public long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  /** Session writes the back-end accepted (coalesced writes count once). */
  public long written() {
    lock.lock();
    try {
      return written;
    } finally {
      lock.unlock();
    }
  }

  /** Back-end calls that failed (each is retried). */
  public long failures() {
    lock.lock();
    try {
      return failures;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every queued write has reached the back-end.
   *
   * @throws StoreException when {@code timeout} passes first (the message gives the count left), or
   *     when interrupted (the interrupt flag is kept)
   */
  public void flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      work.signalAll();
      while (!queue.isEmpty() || !inFlight.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new StoreException(
              "store: flush timed out after "
                  + timeout.toMillis()
                  + " ms ["
                  + (queue.size() + inFlight.size())
                  + " sessions queued, outage "
                  + outage
                  + "]: the back-end ("
                  + delegate
                  + ") is not accepting writes — check it; the queue keeps retrying");
        }
        drained.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("store: flush interrupted", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "queued " + delegate;
  }

  // ------------------------------------------------------------------------------ internals

  private void enqueue(PendingWrite w) {
    lock.lock();
    try {
      if (closing) {
        throw new StoreException("store: write after close — the store is closed");
      }
      PendingWrite old = queue.remove(w.id());
      queue.put(w.id(), old == null ? w : old.then(w));
      dropOldestOverCapacity();
      logDropsIfDue();
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Drops the oldest queued writes while over capacity; call under the lock. */
  private void dropOldestOverCapacity() {
    while (queue.size() + inFlight.size() > settings.capacity() && !queue.isEmpty()) {
      Iterator<PendingWrite> it = queue.values().iterator();
      PendingWrite w = it.next();
      it.remove();
      dropped++;
      if (!inFlight.containsKey(w.id())) {
        failWaiters(w.id(), "the write queue was full and dropped it");
      }
    }
  }

  /** Call under the lock. */
  private void failWaiters(String id, String why) {
    List<CompletableFuture<Void>> ws = waiters.remove(id);
    if (ws != null) {
      StoreException e =
          new StoreException("store: a session write was not saved [" + delegate + "]: " + why);
      ws.forEach(f -> f.completeExceptionally(e));
    }
  }

  /** Call under the lock, after a successful write of {@code id}. */
  private void completeWaiters(String id) {
    if (!waiters.isEmpty() && !queue.containsKey(id) && !inFlight.containsKey(id)) {
      List<CompletableFuture<Void>> ws = waiters.remove(id);
      if (ws != null) {
        ws.forEach(f -> f.complete(null));
      }
    }
  }

  private void logDropsIfDue() {
    long now = System.nanoTime();
    if (dropped > droppedLogged
        && (droppedLogged == 0 || now - lastDropLog >= DROP_LOG_INTERVAL_NANOS)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "store: write queue full ("
              + settings.capacity()
              + " sessions): dropped "
              + (dropped - droppedLogged)
              + " oldest session writes ("
              + dropped
              + " in all) while "
              + delegate
              + " is unavailable — those sessions keep their last saved state; raise the capacity"
              + " or restore the back-end");
      droppedLogged = dropped;
      lastDropLog = now;
    }
  }

  private Map<String, PendingWrite> pendingSnapshot() {
    lock.lock();
    try {
      Map<String, PendingWrite> m = new HashMap<>(inFlight);
      m.putAll(queue);
      return m;
    } finally {
      lock.unlock();
    }
  }

  private void drainLoop() {
    long backoffNanos = settings.minBackoff().toNanos();
    try {
      while (true) {
        List<PendingWrite> batch = takeBatch();
        if (batch == null) {
          return;
        }
        try {
          write(batch);
          finish(batch, true);
          backoffNanos = settings.minBackoff().toNanos();
        } catch (RuntimeException e) {
          // the one top boundary of this thread: counted, logged once per outage, retried
          boolean first = finish(batch, false);
          if (first) {
            LOG.log(
                System.Logger.Level.WARNING,
                "store: back-end write failed, queueing until it recovers: " + e.getMessage());
          }
          pause(backoffNanos);
          backoffNanos = Math.min(backoffNanos * 2, settings.maxBackoff().toNanos());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() stops the writer this way
    }
  }

  /** The oldest entries, moved to inFlight; null when closing. */
  private List<PendingWrite> takeBatch() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() || closing) {
        if (closing) {
          return null;
        }
        work.await();
      }
      List<PendingWrite> batch = new ArrayList<>(Math.min(queue.size(), settings.batchSize()));
      Iterator<PendingWrite> it = queue.values().iterator();
      while (it.hasNext() && batch.size() < settings.batchSize()) {
        PendingWrite w = it.next();
        it.remove();
        inFlight.put(w.id(), w);
        batch.add(w);
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void write(List<PendingWrite> batch) {
    if (delegate instanceof JdbcStore jdbc) {
      try {
        jdbc.writeAll(batch);
      } catch (IllegalArgumentException e) {
        writeOneByOne(jdbc, batch);
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      try {
        batch.get(i).applyTo(delegate);
      } catch (RuntimeException e) {
        // the ones before i are saved: account for them before the caller re-queues the rest
        finish(batch.subList(0, i), true);
        batch.subList(0, i).clear();
        throw e;
      }
    }
  }

  /** A batch held a write the back-end refuses (say, a too long name): drop only that one. */
  private void writeOneByOne(JdbcStore jdbc, List<PendingWrite> batch) {
    for (Iterator<PendingWrite> it = batch.iterator(); it.hasNext(); ) {
      PendingWrite w = it.next();
      try {
        jdbc.writeAll(List.of(w));
      } catch (IllegalArgumentException e) {
        it.remove();
        lock.lock();
        try {
          inFlight.remove(w.id());
          dropped++;
          if (!queue.containsKey(w.id())) {
            failWaiters(w.id(), "the back-end refused it");
          }
        } finally {
          lock.unlock();
        }
        LOG.log(System.Logger.Level.WARNING, "store: dropped one session write: " + e.getMessage());
      }
    }
  }

  /** Ends a batch; on failure puts it back under newer writes. Returns true on a new outage. */
  private boolean finish(List<PendingWrite> batch, boolean ok) {
    lock.lock();
    try {
      boolean newOutage = false;
      for (PendingWrite w : batch) {
        inFlight.remove(w.id());
      }
      if (ok) {
        written += batch.size();
        if (!batch.isEmpty()) {
          outage = false;
        }
        for (PendingWrite w : batch) {
          completeWaiters(w.id());
        }
      } else {
        failures++;
        newOutage = !outage;
        outage = true;
        // nobody waits through an outage: the writes stay queued and are retried
        for (String id : new ArrayList<>(waiters.keySet())) {
          failWaiters(id, "the back-end is unavailable; the write stays queued and is retried");
        }
        // the failed batch is older than anything queued since: it goes back to the head
        Map<String, PendingWrite> rest = new LinkedHashMap<>(queue);
        queue.clear();
        for (PendingWrite w : batch) {
          PendingWrite newer = rest.remove(w.id());
          queue.put(w.id(), newer == null ? w : w.then(newer));
        }
        queue.putAll(rest);
        dropOldestOverCapacity();
        logDropsIfDue();
      }
      if (queue.isEmpty() && inFlight.isEmpty()) {
        drained.signalAll();
      }
      return newOutage;
    } finally {
      lock.unlock();
    }
  }

  private void pause(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (left > 0 && !closing) {
        left = work.awaitNanos(left);
        // a new write signals work; keep pausing so an outage does not turn into a busy loop
      }
    } finally {
      lock.unlock();
    }
  }
}
