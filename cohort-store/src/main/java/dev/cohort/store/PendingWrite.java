package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import java.util.HashSet;
import java.util.Set;

/**
 * One session's unsaved state in a {@link QueuedStore}: either a save (record non-null) or a
 * delete. Coalescing keeps only the newest state per id while remembering what the back-end must
 * still change: the union of changed and removed names, whether a full rewrite is due, and whether
 * a delete has to happen before the save (a session deleted and created again under the same id).
 */
record PendingWrite(
    String id,
    SessionRecord record,
    Set<String> changed,
    Set<String> removed,
    boolean full,
    boolean deleteFirst) {

  static PendingWrite save(
      SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
    return new PendingWrite(
        record.id(), record, Set.copyOf(changed), Set.copyOf(removed), full, false);
  }

  static PendingWrite delete(String id) {
    return new PendingWrite(id, null, Set.of(), Set.of(), false, false);
  }

  boolean isDelete() {
    return record == null;
  }

  /** The state the back-end needs after {@code this} and then {@code next} for the same id. */
  PendingWrite then(PendingWrite next) {
    if (next.isDelete()) {
      return next;
    }
    if (isDelete()) {
      return new PendingWrite(id, next.record, Set.of(), Set.of(), true, true);
    }
    if (full || next.full) {
      return new PendingWrite(id, next.record, Set.of(), Set.of(), true, deleteFirst);
    }
    Set<String> c = new HashSet<>(changed);
    c.removeAll(next.removed);
    c.addAll(next.changed);
    Set<String> r = new HashSet<>(removed);
    r.removeAll(next.changed);
    r.addAll(next.removed);
    return new PendingWrite(id, next.record, Set.copyOf(c), Set.copyOf(r), false, deleteFirst);
  }

  /** Applies this write to a store one call at a time (for back-ends without batches). */
  void applyTo(dev.cohort.core.store.SessionStore store) {
    if (isDelete()) {
      store.delete(id);
      return;
    }
    if (deleteFirst) {
      store.delete(id);
    }
    store.save(record, changed, removed, full);
  }
}
