package dev.cohort.core.engine;

/** Session ids never appear in logs or errors (DESIGN §7); a short, stable hash stands in. */
final class Ids {
  private Ids() {}

  static String tag(String id) {
    int h = 0x811c9dc5;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x01000193;
    }
    return "#" + String.format("%08x", h);
  }
}
