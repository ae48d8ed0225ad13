package dev.cohort.store;

/**
 * The one rule for session ids that reach a store: 1 to {@value #MAX_LENGTH} characters from {@code
 * [A-Za-z0-9_-]}. Tomcat's ids (hex, with the route suffix removed) pass; anything that could be a
 * path ({@code ../}, {@code /}, NUL, {@code \}) or a very long string does not.
 */
final class SessionIds {
  static final int MAX_LENGTH = 200;

  private SessionIds() {}

  static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Returns {@code id} or throws; the message gives the length only, never the id. */
  static String check(String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          "store: invalid session id [length "
              + (id == null ? "null" : String.valueOf(id.length()))
              + "]: only A-Z a-z 0-9 _ - and 1 to "
              + MAX_LENGTH
              + " characters are allowed — reject the id before it reaches the store");
    }
    return id;
  }
}
