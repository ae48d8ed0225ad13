package dev.cohort.core.engine;

import dev.cohort.core.wire.AttributeChange;
import dev.cohort.core.wire.Op;
import java.util.Map;

/** Cheap upper bounds of encoded sizes, for cutting batches below the frame limit. */
final class Estimate {
  private Estimate() {}

  static long of(Op op) {
    long n = 32 + (op.id() == null ? 0 : 3L * op.id().length());
    if (op instanceof Op.Full f) {
      n += f.record().valueBytes() + map(f.record().notes()) + map(f.record().attributes());
      n += f.record().authType() == null ? 0 : 3L * f.record().authType().length() + 5;
      n += 3L * f.owner().length() + 5;
    } else if (op instanceof Op.Delta d) {
      for (AttributeChange c : d.changes()) {
        n += 3L * c.name().length() + 15;
        if (c instanceof AttributeChange.Set s) {
          n += s.value().length;
        } else if (c instanceof AttributeChange.Patch p) {
          n += p.middle().length;
        }
      }
      if (d.notes() != null) {
        n += map(d.notes());
        for (byte[] b : d.notes().values()) {
          n += b.length;
        }
      }
      n += d.principal() == null ? 0 : d.principal().length + 5;
      n += d.authType() == null ? 0 : 3L * d.authType().length() + 5;
    } else if (op instanceof Op.Claim c) {
      for (String h : c.newHolders()) {
        n += 3L * h.length() + 5;
      }
    } else if (op instanceof Op.OwnerChanged c) {
      n += 3L * c.owner().length();
    }
    return n;
  }

  private static long map(Map<String, byte[]> m) {
    long n = 5;
    for (String k : m.keySet()) {
      n += 3L * k.length() + 10;
    }
    return n;
  }
}
