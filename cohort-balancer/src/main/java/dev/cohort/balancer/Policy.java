package dev.cohort.balancer;

import java.util.Locale;

/** How the balancer picks a backend for a client that has no (usable) session route. */
public enum Policy {
  /** Each healthy backend in turn. */
  ROUND_ROBIN("round-robin"),
  /** A uniformly random healthy backend. */
  RANDOM("random"),
  /** Smooth weighted round-robin: backend i gets weight(i) / sum(weights) of new clients. */
  WEIGHTED("weighted"),
  /** The healthy backend with the fewest requests in flight per unit of weight. */
  LEAST_CONNECTIONS("least-connections");

  private final String option;

  Policy(String option) {
    this.option = option;
  }

  /** The command-line spelling, e.g. {@code least-connections}. */
  public String option() {
    return option;
  }

  /**
   * Parses {@code round-robin|random|weighted|least-connections} (case-insensitive; the enum
   * constant names are accepted too).
   *
   * @throws IllegalArgumentException starting with {@code "policy: "}
   */
  public static Policy parse(String value) {
    if (value != null) {
      String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
      for (Policy p : values()) {
        if (p.option.equals(v)) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException(
        "policy: unknown policy '"
            + value
            + "' — use round-robin, random, weighted or least-connections");
  }

  @Override
  public String toString() {
    return option;
  }
}
