package dev.cohort.cli.faults;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of one {@code cohort chaos} report, read back from its text (the report is the
 * contract: what a user sees is what the tests assert).
 */
record ChaosReport(
    String text,
    int exitCode,
    long requests,
    long failed,
    long lost,
    long stale,
    long resurrected,
    long invalidated,
    long struck,
    long struckBad,
    long crossChecked,
    long crossBad,
    boolean converged,
    long owned,
    long conflicts,
    int faults,
    boolean recovered,
    boolean pass) {

  static ChaosReport parse(String text, int exitCode) {
    return new ChaosReport(
        text,
        exitCode,
        num(text, "(?m)^  requests\\s+(\\d+)"),
        num(text, "(?m)^  failed requests (\\d+)"),
        num(text, "(?m)^  lost sessions\\s+(\\d+)"),
        num(text, "(?m)^  stale reads\\s+(\\d+)"),
        num(text, "(?m)^  resurrected\\s+(\\d+)"),
        num(text, "(?m)^  resurrected\\s+\\d+ \\(of (\\d+) invalidated"),
        num(text, "(?m)^  struck sessions (\\d+)"),
        num(text, "(?m)^  struck sessions \\d+ answered after [^,]+, (\\d+) stale"),
        num(text, "(?m)^  final check\\s+(\\d+) sessions"),
        num(text, "(?m)^  final check .*: (\\d+) stale or lost"),
        text.contains("  replicas        converged"),
        num(text, "(?m)^  replicas .* — (\\d+) sessions owned"),
        num(text, "(?m)^  conflicts\\s+(\\d+)"),
        (int) num(text, "(?m)^  faults\\s+(\\d+)"),
        !text.contains("recovered in NEVER"),
        text.contains("RESULT: PASS"));
  }

  /** The fraction of the struck nodes' sessions whose first answer after the fault was bad. */
  double struckFraction() {
    return struck == 0 ? 0 : (double) struckBad / struck;
  }

  private static long num(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      return -1;
    }
    return Long.parseLong(m.group(1));
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "exit %d, requests %d, failed %d, lost %d, stale %d, resurrected %d of %d, struck %d/%d,"
            + " cross %d/%d, converged %s, conflicts %d, faults %d%n%s",
        exitCode,
        requests,
        failed,
        lost,
        stale,
        resurrected,
        invalidated,
        struckBad,
        struck,
        crossBad,
        crossChecked,
        converged,
        conflicts,
        faults,
        text);
  }
}
