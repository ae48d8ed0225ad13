package dev.cohort.core.engine;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.wire.AttributeChange;
import dev.cohort.core.wire.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Change detection (owner side) and delta application (holder side), as pure functions over
 * immutable records.
 *
 * <p>An attribute counts as changed when its serialized bytes differ from the stored bytes: setting
 * an equal value ships nothing, and an object mutated in place (read during the request, bytes
 * changed) ships. A changed value is sent as a {@link AttributeChange.Patch} when that is smaller
 * than the whole value.
 */
final class Changes {
  private Changes() {}

  /** The outcome of comparing an update with the owner's record. */
  record Diff(SessionRecord next, Op.Delta delta) {
    boolean isEmpty() {
      return delta == null;
    }
  }

  /** A brand-new record (version 1) from a creating update. */
  static SessionRecord created(SessionUpdate u) {
    Map<String, byte[]> attrs = new HashMap<>(u.touched());
    for (String r : u.removed()) {
      attrs.remove(r);
    }
    return new SessionRecord(
        u.id(),
        1,
        u.creationTime(),
        u.lastAccessedTime(),
        u.maxInactiveSeconds(),
        u.isNew(),
        u.authType(),
        u.principal(),
        u.notes(),
        attrs);
  }

  /**
   * Compares {@code u} with {@code old}. The result's delta is null when nothing but the access
   * time changed; then {@code next} is {@code old} with the new access time and the same version.
   */
  static Diff diff(SessionRecord old, SessionUpdate u) {
    List<AttributeChange> changes = new ArrayList<>();
    Map<String, byte[]> attrs = null;
    for (Map.Entry<String, byte[]> t : u.touched().entrySet()) {
      byte[] before = old.attributes().get(t.getKey());
      byte[] now = t.getValue();
      if (before != null && Arrays.equals(before, now)) {
        continue;
      }
      if (attrs == null) {
        attrs = new HashMap<>(old.attributes());
      }
      attrs.put(t.getKey(), now);
      changes.add(smallest(t.getKey(), before, now));
    }
    for (String r : u.removed()) {
      if (old.attributes().containsKey(r) && !u.touched().containsKey(r)) {
        if (attrs == null) {
          attrs = new HashMap<>(old.attributes());
        }
        attrs.remove(r);
        changes.add(new AttributeChange.Remove(r));
      }
    }
    Integer maxInactive =
        u.maxInactiveSeconds() != old.maxInactiveSeconds() ? u.maxInactiveSeconds() : null;
    Boolean isNew = u.isNew() != old.isNew() ? u.isNew() : null;
    boolean authChanged = !Objects.equals(u.authType(), old.authType());
    boolean principalChanged = !Arrays.equals(u.principal(), old.principal());
    boolean notesChanged = !sameBytes(u.notes(), old.notes());
    long accessed = Math.max(old.lastAccessedTime(), u.lastAccessedTime());
    if (changes.isEmpty()
        && maxInactive == null
        && isNew == null
        && !authChanged
        && !principalChanged
        && !notesChanged) {
      return new Diff(withAccess(old, accessed), null);
    }
    SessionRecord next =
        new SessionRecord(
            old.id(),
            old.version() + 1,
            old.creationTime(),
            accessed,
            u.maxInactiveSeconds(),
            u.isNew(),
            u.authType(),
            u.principal(),
            notesChanged ? u.notes() : old.notes(),
            attrs == null ? old.attributes() : attrs);
    Op.Delta delta =
        new Op.Delta(
            old.id(),
            old.version(),
            accessed,
            maxInactive,
            isNew,
            authChanged,
            u.authType(),
            principalChanged,
            u.principal(),
            notesChanged ? u.notes() : null,
            changes,
            0);
    return new Diff(next, delta);
  }

  private static AttributeChange smallest(String name, byte[] before, byte[] now) {
    if (before != null) {
      AttributeChange.Patch p = AttributeChange.Patch.between(name, before, now);
      // a patch costs two extra varints; worth it when it saves more than that
      if (p.middle().length + 8 < now.length) {
        return p;
      }
    }
    return new AttributeChange.Set(name, now);
  }

  /**
   * Applies {@code d} on top of {@code r} (whose version must be {@code d.baseVersion()}); null
   * when a patch does not fit the stored value (the holder then asks for the full record).
   */
  static SessionRecord apply(SessionRecord r, Op.Delta d) {
    Map<String, byte[]> attrs = r.attributes();
    if (!d.changes().isEmpty()) {
      attrs = new HashMap<>(attrs);
      for (AttributeChange c : d.changes()) {
        if (c instanceof AttributeChange.Set s) {
          attrs.put(s.name(), s.value());
        } else if (c instanceof AttributeChange.Patch p) {
          byte[] old = attrs.get(p.name());
          byte[] now = old == null ? null : p.apply(old);
          if (now == null) {
            return null;
          }
          attrs.put(p.name(), now);
        } else if (c instanceof AttributeChange.Remove x) {
          attrs.remove(x.name());
        }
      }
    }
    return new SessionRecord(
        r.id(),
        r.version() + 1,
        r.creationTime(),
        Math.max(r.lastAccessedTime(), d.lastAccessedTime()),
        d.maxInactiveSeconds() != null ? d.maxInactiveSeconds() : r.maxInactiveSeconds(),
        d.isNew() != null ? d.isNew() : r.isNew(),
        d.authChanged() ? d.authType() : r.authType(),
        d.principalChanged() ? d.principal() : r.principal(),
        d.notes() != null ? d.notes() : r.notes(),
        attrs);
  }

  static SessionRecord withAccess(SessionRecord r, long accessed) {
    if (accessed == r.lastAccessedTime()) {
      return r;
    }
    return new SessionRecord(
        r.id(),
        r.version(),
        r.creationTime(),
        accessed,
        r.maxInactiveSeconds(),
        r.isNew(),
        r.authType(),
        r.principal(),
        r.notes(),
        r.attributes());
  }

  static SessionRecord withVersion(SessionRecord r, long version) {
    return new SessionRecord(
        r.id(),
        version,
        r.creationTime(),
        r.lastAccessedTime(),
        r.maxInactiveSeconds(),
        r.isNew(),
        r.authType(),
        r.principal(),
        r.notes(),
        r.attributes());
  }

  static SessionRecord withId(SessionRecord r, String id, long version) {
    return new SessionRecord(
        id,
        version,
        r.creationTime(),
        r.lastAccessedTime(),
        r.maxInactiveSeconds(),
        r.isNew(),
        r.authType(),
        r.principal(),
        r.notes(),
        r.attributes());
  }

  private static boolean sameBytes(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : a.entrySet()) {
      if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
