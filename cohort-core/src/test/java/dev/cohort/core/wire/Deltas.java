package dev.cohort.core.wire;

import java.util.List;

/** Deltas for tests: attribute changes only (none: the delta only moves the version), term 0. */
public final class Deltas {
  private Deltas() {}

  public static Op.Delta ofChanges(
      String id, long baseVersion, long lastAccessedTime, List<AttributeChange> changes) {
    return new Op.Delta(
        id, baseVersion, lastAccessedTime, null, null, false, null, false, null, null, changes, 0);
  }
}
