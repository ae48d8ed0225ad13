package dev.cohort.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in store specs, JDBC URLs and any text that may quote one (a driver's error
 * message): every place that logs, throws or shows a spec passes it through {@link #of} first.
 *
 * <p>Masked, case-insensitively, for every dialect the stores accept (H2, PostgreSQL, MariaDB,
 * MySQL):
 *
 * <ul>
 *   <li>the password of URL user info: {@code jdbc:postgresql://app:s3cret@db/app} becomes {@code
 *       jdbc:postgresql://app:***@db/app};
 *   <li>the value of any parameter or property whose name contains {@code password}, {@code
 *       passwd}, {@code pwd}, {@code secret}, {@code token} or {@code credential}, after {@code ?},
 *       {@code &}, {@code ;}, {@code (} (MySQL's {@code address=(...)(password=...)}), a comma or a
 *       blank: {@code ?user=app&password=s3cret}, {@code ;PASSWORD=s3cret}, {@code
 *       sslpassword=...}, {@code accessToken=...}. The value runs to the next {@code &}, {@code ;}
 *       or {@code )}, so a password with blanks (H2's {@code "filepw userpw"}) is masked whole.
 * </ul>
 *
 * <p>The user name, host, port, database and every other option stay readable. Stateless and
 * thread-safe.
 */
public final class Redaction {

  /** What replaces a secret. */
  public static final String MASK = "***";

  /** {@code ://user:password@}: the password may hold anything but / ? # and blanks. */
  private static final Pattern USER_INFO = Pattern.compile("(://[^:/?#@\\s]*:)[^/?#\\s]*@");

  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "(?i)((?:^|[?&;(,\\s])[\\w.\\-]*(?:password|passwd|pwd|secret|token|credential)"
              + "[\\w.\\-]*\\s*=)[^&;)]*");

  private Redaction() {}

  /**
   * {@code text} with every credential masked; null stays null.
   *
   * @param text a store spec, a JDBC URL, or a message that may contain one
   */
  public static String of(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String s =
        USER_INFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + MASK + "@");
    return SECRET_PARAMETER.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + MASK);
  }
}
