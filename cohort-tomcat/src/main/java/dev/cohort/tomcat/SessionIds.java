package dev.cohort.tomcat;

/** Tomcat session ids are {@code <base>.<route>}; the engine works with the base only. */
final class SessionIds {
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
}
