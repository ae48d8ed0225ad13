package dev.cohort.core.wire;

import java.util.Objects;

/** One attribute's change inside a {@link Op.Delta}. */
public sealed interface AttributeChange {

  String name();

  /** The attribute's new serialized value. */
  record Set(String name, byte[] value) implements AttributeChange {
    public Set {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * The new value is the old one with its middle replaced: the first {@code prefix} and last {@code
   * suffix} bytes are kept and {@code middle} goes between them. A counter increment changes one to
   * four bytes of an 81-byte serialized Integer, so this keeps deltas small.
   */
  record Patch(String name, int prefix, int suffix, byte[] middle) implements AttributeChange {
    public Patch {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(middle, "middle");
    }

    /** Applies the patch to {@code old}, or returns null when it does not fit. */
    public byte[] apply(byte[] old) {
      if (prefix < 0 || suffix < 0 || (long) prefix + suffix > old.length) {
        return null;
      }
      byte[] out = new byte[prefix + middle.length + suffix];
      System.arraycopy(old, 0, out, 0, prefix);
      System.arraycopy(middle, 0, out, prefix, middle.length);
      System.arraycopy(old, old.length - suffix, out, prefix + middle.length, suffix);
      return out;
    }

    /** The smallest patch turning {@code old} into {@code now}. */
    public static Patch between(String name, byte[] old, byte[] now) {
      int max = Math.min(old.length, now.length);
      int p = 0;
      while (p < max && old[p] == now[p]) {
        p++;
      }
      int s = 0;
      while (s < max - p && old[old.length - 1 - s] == now[now.length - 1 - s]) {
        s++;
      }
      byte[] mid = new byte[now.length - p - s];
      System.arraycopy(now, p, mid, 0, mid.length);
      return new Patch(name, p, s, mid);
    }
  }

  record Remove(String name) implements AttributeChange {
    public Remove {
      Objects.requireNonNull(name, "name");
    }
  }
}
