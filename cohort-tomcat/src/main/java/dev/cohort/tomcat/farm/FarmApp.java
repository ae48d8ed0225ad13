package dev.cohort.tomcat.farm;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the farm's catalogue: the application {@code name} (the WAR's file name without
 * {@code .war}; {@code ROOT} is the root context), the version that should run, its SHA-256 and
 * size. A removed application stays in the catalogue as a tombstone ({@code removed}) so that a
 * node which was away when it was removed does not bring it back. {@code slot} numbers the
 * application's session channel port (farm port + 1 + slot), the same on every node; a replaced
 * version keeps its slot.
 */
public record FarmApp(
    String name, AppVersion version, String sha256, long size, boolean removed, int slot) {
  /** How many farmed applications can have their own session channel port. */
  public static final int MAX_SLOTS = 99;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{64}");

  public FarmApp {
    checkName(name);
    Objects.requireNonNull(version, "version");
    if (!removed && (sha256 == null || !SHA.matcher(sha256).matches())) {
      throw new IllegalArgumentException(
          "sha256: '" + sha256 + "' is not 64 lower-case hex digits");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size: " + size + " is negative");
    }
    if (slot < 0 || slot >= MAX_SLOTS) {
      throw new IllegalArgumentException(
          "slot: " + slot + " is not between 0 and " + (MAX_SLOTS - 1));
    }
  }

  /** A tombstone: {@code name} was undeployed at {@code version}. */
  static FarmApp tombstone(String name, AppVersion version, int slot) {
    return new FarmApp(name, version, "", 0, true, slot);
  }

  /**
   * Validates an application name: 1-64 letters, digits, '.', '_' or '-', not starting with a dot
   * or dash, and not ending in {@code .war}.
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.endsWith(".war")) {
      throw new IllegalArgumentException(
          "application name: '"
              + name
              + "' must be 1-64 letters, digits, '.', '_' or '-' (the WAR's file name without"
              + " .war; ROOT for the root context)");
    }
    return name;
  }

  /** Tomcat's context name (= path) for an application name: "" for ROOT, else "/name". */
  public static String contextPath(String name) {
    return "ROOT".equals(name) ? "" : "/" + name;
  }

  static boolean isSha256(String s) {
    return s != null && SHA.matcher(s).matches();
  }

  /** The first 12 hex digits, for logs and tables. */
  String shortSha() {
    return removed ? "-" : sha256.substring(0, 12);
  }
}
