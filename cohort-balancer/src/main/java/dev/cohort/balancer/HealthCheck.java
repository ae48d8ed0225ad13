package dev.cohort.balancer;

import java.util.BitSet;
import java.util.Locale;
import java.util.Objects;

/**
 * How the balancer checks its backends (option {@code health-check}):
 *
 * <ul>
 *   <li>{@link Type#HTTP}: {@code GET <path>} on a fresh connection; a status in the expected set
 *       passes (HAProxy's {@code option httpchk} with {@code http-check expect status}). The
 *       default is {@code GET /cohort/health} expecting {@code 200-399}.
 *   <li>{@link Type#TCP}: a TCP connect that succeeds passes; nothing is sent (HAProxy's plain
 *       {@code check}).
 *   <li>{@link Type#NONE}: no probe at all. Backends are up until a connect to one fails; that one
 *       gets requests again after the health interval (nginx's {@code fail_timeout}).
 * </ul>
 *
 * <p>Immutable; instances are equal when they check the same way (status sets compare by the codes
 * they contain, so {@code 200-299,300-399} equals {@code 200-399}).
 */
public final class HealthCheck {

  /** The kinds of check. */
  public enum Type {
    /** An HTTP request whose status must be one of the expected ones. */
    HTTP("http"),
    /** A TCP connect. */
    TCP("tcp"),
    /** No probe; only failed connects take a backend down, for one health interval. */
    NONE("none");

    private final String option;

    Type(String option) {
      this.option = option;
    }

    /** The command-line spelling: {@code http}, {@code tcp} or {@code none}. */
    public String option() {
      return option;
    }

    /**
     * Parses {@code http|tcp|none} (case-insensitive).
     *
     * @throws IllegalArgumentException starting with {@code "health-check: "}
     */
    public static Type parse(String value) {
      if (value != null) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Type t : values()) {
          if (t.option.equals(v)) {
            return t;
          }
        }
      }
      throw new IllegalArgumentException(
          "health-check: unknown check '"
              + value
              + "' — use http (a GET whose status is checked), tcp (a connect) or none (no probe)");
    }
  }

  /** The default HTTP check's path. */
  public static final String DEFAULT_PATH = "/cohort/health";

  /** The default HTTP check's expected statuses: 2xx and 3xx. */
  public static final String DEFAULT_STATUS = "200-399";

  /** Longest accepted path, in characters. */
  static final int MAX_PATH_LENGTH = 2048;

  private static final int MIN_CODE = 100;
  private static final int MAX_CODE = 599;

  private final Type type;
  private final String path;
  private final BitSet statuses;

  private HealthCheck(Type type, String path, BitSet statuses) {
    this.type = type;
    this.path = path;
    this.statuses = statuses;
  }

  /** {@code GET /cohort/health}, 2xx/3xx passes: the default. */
  public static HealthCheck defaults() {
    return http(DEFAULT_PATH, DEFAULT_STATUS);
  }

  /**
   * An HTTP check: {@code GET path}, passing when the status is in {@code statuses}.
   *
   * @param path an origin-form request target: starts with {@code /}, printable ASCII without
   *     spaces (percent-encode anything else), a query allowed, e.g. {@code
   *     /manager/text/serverinfo}
   * @param statuses comma-separated codes ({@code 200}), ranges ({@code 200-399}) or classes
   *     ({@code 2xx}), each within 100..599, e.g. {@code 200,301-302}
   * @throws IllegalArgumentException starting with {@code "health-path: "} or {@code
   *     "health-status: "}
   */
  public static HealthCheck http(String path, String statuses) {
    return new HealthCheck(Type.HTTP, checkPath(path), parseStatuses(statuses));
  }

  /** A TCP connect check. */
  public static HealthCheck tcp() {
    return new HealthCheck(Type.TCP, null, null);
  }

  /** No active check: failed connects alone take a backend down, for one health interval. */
  public static HealthCheck none() {
    return new HealthCheck(Type.NONE, null, null);
  }

  /**
   * The check the three options describe, as given on a command line or in a config file; a null
   * means "not given". {@code path} and {@code statuses} default to {@link #DEFAULT_PATH} and
   * {@link #DEFAULT_STATUS}; with {@code tcp} or {@code none} they must not be given (they would be
   * ignored, which hides a mistake).
   *
   * @throws IllegalArgumentException starting with {@code "health-check: "}, {@code "health-path:
   *     "} or {@code "health-status: "}
   */
  public static HealthCheck parse(String type, String path, String statuses) {
    Type t = type == null ? Type.HTTP : Type.parse(type);
    if (t == Type.HTTP) {
      return http(path == null ? DEFAULT_PATH : path, statuses == null ? DEFAULT_STATUS : statuses);
    }
    if (path != null) {
      throw onlyForHttp("health-path", t);
    }
    if (statuses != null) {
      throw onlyForHttp("health-status", t);
    }
    return t == Type.TCP ? tcp() : none();
  }

  private static IllegalArgumentException onlyForHttp(String option, Type t) {
    return new IllegalArgumentException(
        option
            + ": given with health-check "
            + t.option
            + ", which sends no HTTP request — drop it, or use health-check http");
  }

  /** The kind of check. */
  public Type type() {
    return type;
  }

  /** The HTTP check's request target; null for the other kinds. */
  public String path() {
    return path;
  }

  /**
   * The HTTP check's expected statuses in canonical form (ascending, ranges merged: {@code
   * 200-399}); null for the other kinds.
   */
  public String statuses() {
    if (statuses == null) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (int lo = statuses.nextSetBit(0); lo >= 0; ) {
      int hi = statuses.nextClearBit(lo) - 1;
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(lo);
      if (hi > lo) {
        b.append('-').append(hi);
      }
      lo = statuses.nextSetBit(hi + 1);
    }
    return b.toString();
  }

  /** Whether an HTTP check's answer with this status passes. */
  boolean expects(int status) {
    return statuses != null && status >= 0 && statuses.get(status);
  }

  private static String checkPath(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      throw new IllegalArgumentException(
          "health-path: '"
              + (path == null ? null : printable(path))
              + "' is not an absolute path — use one that starts with /, e.g. "
              + DEFAULT_PATH);
    }
    if (path.length() > MAX_PATH_LENGTH) {
      throw new IllegalArgumentException(
          "health-path: " + path.length() + " characters — use at most " + MAX_PATH_LENGTH);
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '#') {
        throw new IllegalArgumentException(
            "health-path: '"
                + printable(path)
                + "' has a space, control, '#' or non-ASCII character at "
                + i
                + " — percent-encode it (e.g. %20)");
      }
    }
    return path;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < ' ' || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }

  private static BitSet parseStatuses(String spec) {
    if (spec == null || spec.isBlank()) {
      throw badStatus(spec, null, "is empty");
    }
    BitSet set = new BitSet(MAX_CODE + 1);
    for (String raw : spec.split(",", -1)) {
      String item = raw.trim();
      int lo;
      int hi;
      if (item.matches("[1-5][xX][xX]")) {
        lo = (item.charAt(0) - '0') * 100;
        hi = lo + 99;
      } else if (item.matches("\\d{3}")) {
        lo = hi = Integer.parseInt(item);
      } else if (item.matches("\\d{3}\\s*-\\s*\\d{3}")) {
        String[] ends = item.split("-");
        lo = Integer.parseInt(ends[0].trim());
        hi = Integer.parseInt(ends[1].trim());
      } else {
        throw badStatus(spec, item, "is not a code, a range or a class");
      }
      if (lo < MIN_CODE || hi > MAX_CODE) {
        throw badStatus(spec, item, "is outside " + MIN_CODE + ".." + MAX_CODE);
      }
      if (lo > hi) {
        throw badStatus(spec, item, "runs backwards");
      }
      set.set(lo, hi + 1);
    }
    return set;
  }

  private static IllegalArgumentException badStatus(String spec, String item, String why) {
    String where =
        item == null || item.equals(spec.trim())
            ? "'" + spec + "' "
            : "'" + spec + "': '" + item + "' ";
    return new IllegalArgumentException(
        "health-status: "
            + where
            + why
            + " — use codes (200), ranges (200-399) or classes (2xx), separated by commas");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HealthCheck h
        && type == h.type
        && Objects.equals(path, h.path)
        && Objects.equals(statuses, h.statuses);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, path, statuses);
  }

  /** {@code http GET /cohort/health expect 200-399}, {@code tcp} or {@code none}. */
  @Override
  public String toString() {
    return type == Type.HTTP ? "http GET " + path + " expect " + statuses() : type.option;
  }
}
