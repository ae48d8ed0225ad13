package dev.cohort.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations the way operators type them: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}.
 */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  private Durations() {}

  /**
   * @param option the option's name, for the error message
   * @param text a number with an optional unit; a bare number is {@code bareUnit}
   */
  public static Duration parse(String option, String text, String bareUnit) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option + ": '" + text + "' is not a duration — write e.g. 500ms, 30s, 2m");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? bareUnit : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** Like {@link #parse} but refuses zero. */
  public static Duration positive(String option, String text, String bareUnit) {
    Duration d = parse(option, text, bareUnit);
    if (d.isZero()) {
      throw new IllegalArgumentException(option + ": '" + text + "' must be above zero");
    }
    return d;
  }

  /** {@code 1.5 s}, {@code 250 ms}. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
