package dev.cohort.core.wire;

import java.util.List;

/** One message between engines: a batch of operations, encoded by {@link WireCodec}. */
public record Frame(List<Op> ops) {
  public Frame {
    ops = List.copyOf(ops);
  }

  public static Frame of(Op... ops) {
    return new Frame(List.of(ops));
  }

  public static final Frame EMPTY = new Frame(List.of());

  @Override
  public String toString() {
    return "Frame[" + ops.size() + " ops]";
  }
}
