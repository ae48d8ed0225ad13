package dev.cohort.jgroups;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns the configured {@code secret} into key material: an AES-256 key by PBKDF2-HMAC-SHA256 with
 * a fixed salt over the cluster name (every member derives the same key; two clusters with the same
 * secret get different keys), and a join proof (an HMAC of a fixed label under that key).
 */
final class Secrets {
  private static final int ITERATIONS = 65_536;

  private Secrets() {}

  static SecretKey aesKey(String secret, String clusterName) {
    char[] chars = secret.toCharArray();
    PBEKeySpec spec =
        new PBEKeySpec(
            chars,
            ("cohort-channel-v1:" + clusterName).getBytes(StandardCharsets.UTF_8),
            ITERATIONS,
            256);
    try {
      byte[] key =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return new SecretKeySpec(key, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "deriving the cluster key failed: " + e + " — the JDK lacks PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
      java.util.Arrays.fill(chars, '\0');
    }
  }

  static byte[] joinProof(SecretKey key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
      return mac.doFinal("cohort-join-v1".getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "computing the join proof failed: " + e + " — the JDK lacks HmacSHA256", e);
    }
  }
}
