package dev.cohort.balancer;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One backend node behind the balancer: its route (the {@code .<route>} suffix that the node
 * appends to its session ids, Tomcat's {@code jvmRoute}), its base URI and its relative weight.
 *
 * <p>Immutable and thread-safe. Only {@code http} URIs are supported (the balancer talks plain
 * HTTP/1.1 to its backends).
 *
 * @param route route name, letters, digits, {@code -} and {@code _} only
 * @param uri {@code http://host:port}; a path, if any, is ignored
 * @param weight relative weight for the {@code weighted} policy, 1..1000
 */
public record Backend(String route, URI uri, int weight) {
  private static final Pattern ROUTE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Largest accepted weight. */
  public static final int MAX_WEIGHT = 1000;

  /** Validates every field; errors start with {@code "backend: "}. */
  public Backend {
    if (route == null || !ROUTE.matcher(route).matches()) {
      throw new IllegalArgumentException(
          "backend: invalid route '"
              + route
              + "': use 1 to 64 letters, digits, '-' or '_' (the node's jvmRoute)");
    }
    Objects.requireNonNull(uri, "backend: uri");
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "backend: invalid URI for route "
              + route
              + ": '"
              + uri
              + "' — use http://host:port (only plain http is supported)");
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "backend: weight of route "
              + route
              + " is "
              + weight
              + ": use a whole number from 1 to "
              + MAX_WEIGHT);
    }
  }

  /**
   * Parses {@code route=http://host:port} or {@code route=http://host:port;weight=N}.
   *
   * @throws IllegalArgumentException starting with {@code "backend: "} naming what is wrong
   */
  public static Backend parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "backend: empty value — use route=http://host:port[;weight=N]");
    }
    String s = spec.trim();
    int eq = s.indexOf('=');
    if (eq <= 0 || eq == s.length() - 1) {
      throw new IllegalArgumentException(
          "backend: '" + s + "' is not route=http://host:port[;weight=N]");
    }
    String route = s.substring(0, eq).trim();
    String rest = s.substring(eq + 1).trim();
    int weight = 1;
    int semi = rest.indexOf(';');
    if (semi >= 0) {
      String option = rest.substring(semi + 1).trim();
      rest = rest.substring(0, semi).trim();
      if (!option.startsWith("weight=")) {
        throw new IllegalArgumentException(
            "backend: unknown option '" + option + "' in '" + s + "' — only weight=N is accepted");
      }
      try {
        weight = Integer.parseInt(option.substring("weight=".length()).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "backend: weight in '" + s + "' is not a whole number — use weight=1.." + MAX_WEIGHT,
            e);
      }
    }
    URI uri;
    try {
      uri = new URI(rest);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "backend: '" + rest + "' is not a URI — use http://host:port", e);
    }
    return new Backend(route, uri, weight);
  }

  /** Host name or address to connect to. */
  String host() {
    return uri.getHost();
  }

  /** Port to connect to (80 when the URI names none). */
  int port() {
    return uri.getPort() < 0 ? 80 : uri.getPort();
  }

  /** The {@code Host} header value used for health checks. */
  String authority() {
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public String toString() {
    return route + "=" + uri + (weight == 1 ? "" : ";weight=" + weight);
  }
}
