package dev.cohort.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which request targets name the nodes' admin and farm endpoints ({@code /cohort/*}), which the
 * balancer does not forward (only {@code /cohort/health}, for probes).
 *
 * <p>The node behind is Tomcat, which maps a request by its decoded, normalised path: path
 * parameters ({@code ;x}) cut from every segment, percent-escapes decoded, {@code //}, {@code /./}
 * and {@code /../} resolved, an absolute-form target ({@code http://host/path}) reduced to its
 * path. The same is done here, and more, so that no spelling that reaches an admin path in Tomcat
 * passes: decoding is repeated until nothing changes (Tomcat decodes once), a backslash counts as a
 * slash (Tomcat refuses it), {@code ..} above the root stays at the root (Tomcat refuses it), and
 * the comparison ignores case (Tomcat's does not). Refusing a few odd spellings of an application's
 * own paths is the price.
 */
final class AdminPaths {
  private static final String PREFIX = "/cohort";
  private static final String HEALTH = "/cohort/health";

  /** Rounds of percent-decoding at most (a path still changing after them is refused). */
  private static final int DECODE_ROUNDS = 4;

  private AdminPaths() {}

  /** Whether a request for {@code target} (the request line's target) must not reach a node. */
  static boolean refused(String target) {
    String path = normalise(target);
    if (path == null) {
      return true;
    }
    return (path.equals(PREFIX) || path.startsWith(PREFIX + "/")) && !path.equals(HEALTH);
  }

  /**
   * The path Tomcat would map {@code target} to, lower-cased, as {@code /a/b} (no trailing slash,
   * no empty, {@code .} or {@code ..} segment); null when decoding does not settle.
   */
  static String normalise(String target) {
    String path = pathOf(target);
    for (int round = 0; ; round++) {
      String next = decode(stripParameters(path.replace('\\', '/')));
      if (next.equals(path)) {
        break;
      }
      if (round == DECODE_ROUNDS) {
        return null;
      }
      path = next;
    }
    List<String> segments = new ArrayList<>();
    for (String s : path.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!segments.isEmpty()) {
          segments.remove(segments.size() - 1);
        }
        continue;
      }
      segments.add(s);
    }
    return ("/" + String.join("/", segments)).toLowerCase(Locale.ROOT);
  }

  /** The path of an origin-form or absolute-form target, without query or fragment. */
  private static String pathOf(String target) {
    String t = target;
    int scheme = t.indexOf("://");
    if (!t.startsWith("/") && scheme > 0 && isScheme(t.substring(0, scheme))) {
      int start = scheme + 3;
      int end = start;
      while (end < t.length() && "/?#".indexOf(t.charAt(end)) < 0) {
        end++;
      }
      t = t.substring(end);
    }
    int cut = t.length();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '?' || c == '#') {
        cut = i;
        break;
      }
    }
    t = t.substring(0, cut);
    return t.startsWith("/") ? t : "/" + t;
  }

  private static boolean isScheme(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** Cuts {@code ;params} from every segment, as Tomcat does before mapping. */
  private static String stripParameters(String path) {
    if (path.indexOf(';') < 0) {
      return path;
    }
    StringBuilder b = new StringBuilder(path.length());
    boolean inParams = false;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '/') {
        inParams = false;
      } else if (c == ';') {
        inParams = true;
      }
      if (!inParams) {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Decodes {@code %XX} escapes byte by byte (a broken escape stays as it is). */
  private static String decode(String path) {
    if (path.indexOf('%') < 0) {
      return path;
    }
    StringBuilder b = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%'
          && i + 2 < path.length()
          && hex(path.charAt(i + 1)) >= 0
          && hex(path.charAt(i + 2)) >= 0) {
        b.append((char) (hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2))));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
