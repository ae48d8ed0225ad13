package dev.cohort.tomcat.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed admin requests: the proof that an HTTP request to {@code /cohort/*} comes from someone who
 * knows the cluster secret. Nothing about the caller's address counts.
 *
 * <p>A signed request carries four headers:
 *
 * <pre>
 *   X-Cohort-Date       the client's clock, seconds since the epoch
 *   X-Cohort-Nonce      16 random bytes, hex, never used twice
 *   X-Cohort-SHA256     the body's SHA-256, hex (only when there is a body)
 *   X-Cohort-Signature  hex HMAC-SHA256 under the admin key of the string to sign:
 *                       "COHORT-HMAC-SHA256\n" METHOD "\n" URI "\n" DATE "\n" NONCE "\n" SHA256
 * </pre>
 *
 * where URI is the request target as sent (path and query, not decoded) and SHA256 is the header's
 * value or empty. The receiver accepts a signature only within {@link #WINDOW} of its own clock and
 * only once per nonce (nonces are remembered for the window, so a captured request cannot be sent
 * again). A body is bound by its digest: the receiver must check the body it reads against {@code
 * X-Cohort-SHA256}, and refuses a signed request that has a body but no digest.
 *
 * <p>The admin key is PBKDF2-HMAC-SHA256 of the secret with its own label (not the channel key):
 * one signature sniffed from a plain-HTTP admin request costs an attacker {@value #ITERATIONS}
 * HMACs per guess of the secret.
 *
 * <p>Thread-safe. Derive once per process: the derivation takes tens of milliseconds on purpose.
 */
public final class AdminAuth {
  public static final String DATE = "X-Cohort-Date";
  public static final String NONCE = "X-Cohort-Nonce";
  public static final String SHA256 = "X-Cohort-SHA256";
  public static final String SIGNATURE = "X-Cohort-Signature";

  /** How far a request's date may be from the receiver's clock, either way. */
  public static final Duration WINDOW = Duration.ofMinutes(5);

  /** Most nonces remembered at once; beyond it signed requests are refused until some expire. */
  static final int MAX_NONCES = 100_000;

  static final int ITERATIONS = 100_000;
  private static final byte[] SALT = "cohort-admin-v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final Clock clock;
  private final Map<String, Long> nonces = new ConcurrentHashMap<>();

  private AdminAuth(SecretKeySpec key, Clock clock) {
    this.key = key;
    this.clock = clock;
  }

  /**
   * @param secret the cluster secret (the same on every node and client)
   * @throws IllegalArgumentException naming {@code secret} when it is missing or shorter than 16
   *     bytes
   */
  public static AdminAuth of(String secret) {
    return of(secret, Clock.systemUTC());
  }

  static AdminAuth of(String secret, Clock clock) {
    if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 16) {
      throw new IllegalArgumentException(
          "secret: signed admin requests need the cluster secret (at least 16 bytes)");
    }
    char[] chars = secret.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, SALT, ITERATIONS, 256);
    try {
      byte[] k =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return new AdminAuth(new SecretKeySpec(k, "HmacSHA256"), clock);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "deriving the admin key failed: " + e + " — the JDK lacks PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  /**
   * The headers that sign one request.
   *
   * @param method the HTTP method, e.g. {@code PUT}
   * @param uri the request target exactly as it will be sent: path and query, e.g. {@code
   *     /cohort/farm/shop}
   * @param bodySha256 the body's SHA-256 in hex, or null when the request has no body
   */
  public Map<String, String> sign(String method, String uri, String bodySha256) {
    byte[] n = new byte[16];
    RANDOM.nextBytes(n);
    String nonce = HexFormat.of().formatHex(n);
    String date = Long.toString(clock.instant().getEpochSecond());
    String sha = bodySha256 == null ? "" : bodySha256.toLowerCase(Locale.ROOT);
    Map<String, String> h = new LinkedHashMap<>();
    h.put(DATE, date);
    h.put(NONCE, nonce);
    if (!sha.isEmpty()) {
      h.put(SHA256, sha);
    }
    h.put(SIGNATURE, mac(method, uri, date, nonce, sha));
    return h;
  }

  /** Whether a request carries any of the signature headers (then it must verify). */
  public static boolean isSigned(UnaryOperator<String> header) {
    return header.apply(SIGNATURE) != null
        || header.apply(DATE) != null
        || header.apply(NONCE) != null;
  }

  /**
   * Checks one request's signature and spends its nonce.
   *
   * @param method the request's method
   * @param uri the request target as received (path and query, not decoded)
   * @param header reads a request header by name, null when absent
   * @param hasBody whether the request has a body (a Content-Length above 0 or chunked)
   * @return null when the request is signed correctly, else why not (safe to show the caller)
   */
  public String verify(String method, String uri, UnaryOperator<String> header, boolean hasBody) {
    String date = header.apply(DATE);
    String nonce = header.apply(NONCE);
    String signature = header.apply(SIGNATURE);
    String sha = header.apply(SHA256);
    if (date == null || nonce == null || signature == null) {
      return "unsigned: " + DATE + ", " + NONCE + " and " + SIGNATURE + " are required";
    }
    if (!nonce.matches("[0-9a-f]{32}")) {
      return "bad " + NONCE + ": 32 lower-case hex digits expected";
    }
    if (hasBody && (sha == null || sha.isEmpty())) {
      return "a signed request with a body must carry " + SHA256;
    }
    long at;
    try {
      at = Long.parseLong(date.trim());
    } catch (NumberFormatException e) {
      return "bad " + DATE + ": seconds since the epoch expected";
    }
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - at) > WINDOW.toSeconds()) {
      return "stale signature: "
          + DATE
          + " is "
          + (now - at)
          + " s from this node's clock (at most "
          + WINDOW.toSeconds()
          + " s) — check the clocks";
    }
    String expected = mac(method, uri, date.trim(), nonce, sha == null ? "" : sha.trim());
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        signature.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      return "bad signature: signed with another secret, or the request was altered";
    }
    long expires = (at + WINDOW.toSeconds() + 1) * 1000;
    if (nonces.size() >= MAX_NONCES) {
      long nowMs = clock.millis();
      nonces.values().removeIf(e -> e < nowMs);
      if (nonces.size() >= MAX_NONCES) {
        return "too many signed requests in the last " + WINDOW.toMinutes() + " minutes";
      }
    }
    if (nonces.putIfAbsent(nonce, expires) != null) {
      return "replayed: this nonce was used before";
    }
    return null;
  }

  private String mac(String method, String uri, String date, String nonce, String sha) {
    String toSign =
        "COHORT-HMAC-SHA256\n"
            + method.toUpperCase(Locale.ROOT)
            + "\n"
            + uri
            + "\n"
            + date
            + "\n"
            + nonce
            + "\n"
            + sha.toLowerCase(Locale.ROOT);
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return HexFormat.of().formatHex(m.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 failed: " + e + " — the JDK lacks it", e);
    }
  }
}
