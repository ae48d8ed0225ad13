package dev.cohort.tomcat.farm;

import java.util.Objects;

/**
 * The version of one farmed application: a Lamport counter and the node that published it. A node
 * that publishes takes a counter above every counter it has seen, so a replaced WAR always gets a
 * higher version than the one it replaces; the origin breaks ties between concurrent publishes.
 * Printed as {@code counter@origin}.
 */
public record AppVersion(long counter, String origin) implements Comparable<AppVersion> {
  public AppVersion {
    if (counter < 1) {
      throw new IllegalArgumentException("version counter: " + counter + " must be positive");
    }
    Objects.requireNonNull(origin, "origin");
  }

  /** Parses {@code counter@origin}. */
  public static AppVersion parse(String text) {
    int at = text == null ? -1 : text.indexOf('@');
    if (at <= 0 || at == text.length() - 1) {
      throw new IllegalArgumentException("version: '" + text + "' is not counter@origin");
    }
    try {
      return new AppVersion(Long.parseLong(text.substring(0, at)), text.substring(at + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("version: '" + text + "' is not counter@origin", e);
    }
  }

  public boolean isNewerThan(AppVersion other) {
    return other == null || compareTo(other) > 0;
  }

  @Override
  public int compareTo(AppVersion o) {
    int c = Long.compare(counter, o.counter);
    return c != 0 ? c : origin.compareTo(o.origin);
  }

  @Override
  public String toString() {
    return counter + "@" + origin;
  }
}
