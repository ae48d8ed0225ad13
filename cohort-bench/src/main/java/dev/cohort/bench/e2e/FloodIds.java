package dev.cohort.bench.e2e;

import java.util.Random;

/** Session ids the cluster never issued, for {@link PacedLoad}'s flood. */
final class FloodIds {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private FloodIds() {}

  /**
   * {@code wellformed}: 32 upper-case hex characters and {@code .route}, the shape of every id a
   * node issues; {@code malformed}: in turn too short, too long, lower case, with characters no id
   * has, and path-like — all ASCII, so that they reach the node as they are.
   */
  static String of(String kind, String route, Random random) {
    if (kind.equals("wellformed")) {
      return hex(32, random) + "." + route;
    }
    return switch (random.nextInt(5)) {
      case 0 -> hex(16, random) + "." + route;
      case 1 -> hex(64 + random.nextInt(2000), random) + "." + route;
      case 2 -> hex(32, random).toLowerCase(java.util.Locale.ROOT) + "." + route;
      case 3 -> "'--drop_table_" + hex(8, random) + "'." + route;
      default -> "..%2F..%2F" + hex(8, random);
    };
  }

  private static String hex(int n, Random random) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = HEX[random.nextInt(16)];
    }
    return new String(c);
  }
}
