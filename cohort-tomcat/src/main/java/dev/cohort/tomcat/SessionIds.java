package dev.cohort.tomcat;

import dev.cohort.store.Stores;
import org.apache.catalina.SessionIdGenerator;
import org.apache.catalina.util.StandardSessionIdGenerator;

/** Tomcat session ids are {@code <base>.<route>}; the engine works with the base only. */
final class SessionIds {
  /** The longest route suffix accepted (a jvmRoute is a short name). */
  static final int MAX_ROUTE = 255;

  /** The longest base accepted from a custom id generator (the stores' limit). */
  static final int MAX_BASE = 200;

  private SessionIds() {}

  static String base(String id) {
    int dot = id.indexOf('.');
    return dot < 0 ? id : id.substring(0, dot);
  }

  /** The route suffix, or null when the id has none. */
  static String route(String id) {
    int dot = id.indexOf('.');
    return dot < 0 ? null : id.substring(dot + 1);
  }

  static String withRoute(String base, String route) {
    return route == null || route.isEmpty() ? base : base + "." + route;
  }

  /**
   * The ids one manager can have issued, so that any other id a client sends is treated as absent
   * at once: no claim, no store query, never an error. Derived from the manager's own id generator:
   * Tomcat's {@link StandardSessionIdGenerator} makes exactly {@code 2 * sessionIdLength}
   * upper-case hex characters; for any other generator the base is 1 to {@value #MAX_BASE}
   * characters a cookie can carry (with a store: only those a store accepts, {@code A-Z a-z 0-9 _
   * -}). The {@code .route} suffix is optional (a node without jvmRoute issues none) and is 1 to
   * {@value #MAX_ROUTE} cookie characters, since it may name a member that has left.
   *
   * @param hexLength the base length of the standard generator, or -1 for another generator
   * @param storeSafe whether a store holds the sessions (a custom generator's ids must suit it)
   */
  record Shape(int hexLength, boolean storeSafe) {

    static Shape of(SessionIdGenerator generator, boolean store) {
      if (generator != null && generator.getClass() == StandardSessionIdGenerator.class) {
        return new Shape(2 * generator.getSessionIdLength(), store);
      }
      return new Shape(-1, store);
    }

    boolean accepts(String id) {
      if (id == null || id.isEmpty() || id.length() > MAX_BASE + 1 + MAX_ROUTE) {
        return false;
      }
      int dot = id.indexOf('.');
      int end = dot < 0 ? id.length() : dot;
      if (!baseOk(id, end)) {
        return false;
      }
      if (dot < 0) {
        return true;
      }
      int routeLength = id.length() - dot - 1;
      if (routeLength < 1 || routeLength > MAX_ROUTE) {
        return false;
      }
      for (int i = dot + 1; i < id.length(); i++) {
        if (!cookieChar(id.charAt(i))) {
          return false;
        }
      }
      return true;
    }

    private boolean baseOk(String id, int end) {
      if (hexLength > 0) {
        if (end != hexLength) {
          return false;
        }
        for (int i = 0; i < end; i++) {
          char c = id.charAt(i);
          if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
            return false;
          }
        }
        return true;
      }
      if (end < 1 || end > MAX_BASE) {
        return false;
      }
      if (storeSafe) {
        return Stores.isValidId(id.substring(0, end));
      }
      for (int i = 0; i < end; i++) {
        if (!cookieChar(id.charAt(i))) {
          return false;
        }
      }
      return true;
    }

    /** RFC 6265 cookie-octet: visible ASCII except {@code " , ; \}. */
    private static boolean cookieChar(char c) {
      return c > 0x20 && c < 0x7F && c != '"' && c != ',' && c != ';' && c != '\\';
    }
  }
}
