package dev.cohort.balancer;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * Finds a request's session id ({@code JSESSIONID} cookie first, then the {@code ;jsessionid=} path
 * parameter) and the route suffix inside it. Never logs what it finds.
 */
final class SessionIds {
  static final String COOKIE = "JSESSIONID";
  private static final String PATH_PARAM = ";jsessionid=";

  private SessionIds() {}

  /** The session id the request carries, or null. */
  static String find(HttpRequest request) {
    List<String> cookies = request.headers().getAll(HttpHeaderNames.COOKIE);
    for (int i = 0; i < cookies.size(); i++) {
      String id = fromCookieHeader(cookies.get(i));
      if (id != null) {
        return id;
      }
    }
    return fromUri(request.uri());
  }

  /** The JSESSIONID value in one {@code Cookie} header, or null. */
  static String fromCookieHeader(String header) {
    int n = header.length();
    int i = 0;
    while (i < n) {
      while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ';')) {
        i++;
      }
      int end = header.indexOf(';', i);
      if (end < 0) {
        end = n;
      }
      if (header.startsWith(COOKIE, i)
          && i + COOKIE.length() < end
          && header.charAt(i + COOKIE.length()) == '=') {
        String value = header.substring(i + COOKIE.length() + 1, end).trim();
        if (value.length() >= 2 && value.charAt(0) == '"' && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
      }
      i = end + 1;
    }
    return null;
  }

  /** The {@code ;jsessionid=} path parameter of a request URI, or null. */
  static String fromUri(String uri) {
    if (uri.indexOf(';') < 0) {
      return null; // the common case: no path parameter at all
    }
    int q = uri.indexOf('?');
    int limit = q < 0 ? uri.length() : q;
    int at = uri.lastIndexOf(PATH_PARAM, limit - 1);
    if (at < 0) {
      int lower = indexOfIgnoreCase(uri, limit);
      if (lower < 0) {
        return null;
      }
      at = lower;
    }
    int start = at + PATH_PARAM.length();
    int end = start;
    while (end < limit) {
      char c = uri.charAt(end);
      if (c == ';' || c == '/' || c == '#') {
        break;
      }
      end++;
    }
    return end > start ? uri.substring(start, end) : null;
  }

  private static int indexOfIgnoreCase(String uri, int limit) {
    int n = PATH_PARAM.length();
    for (int i = limit - n; i >= 0; i--) {
      if (uri.regionMatches(true, i, PATH_PARAM, 0, n)) {
        return i;
      }
    }
    return -1;
  }

  /** The route suffix ({@code abc.n1} -> {@code n1}) of a session id, or null. */
  static String route(String sessionId) {
    if (sessionId == null) {
      return null;
    }
    int dot = sessionId.lastIndexOf('.');
    return dot >= 0 && dot < sessionId.length() - 1 ? sessionId.substring(dot + 1) : null;
  }
}
