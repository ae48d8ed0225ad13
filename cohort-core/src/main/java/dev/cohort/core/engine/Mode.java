package dev.cohort.core.engine;

import java.util.Locale;

/** Which members hold replicas of a session. */
public enum Mode {
  /** Every other member (Tomcat's DeltaManager). */
  ALL,
  /** The top k other members by rendezvous hashing (Tomcat's BackupManager, k = 1 there). */
  BACKUP;

  /** Parses {@code all} / {@code backup}, case-insensitive. */
  public static Mode parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mode: '" + s + "' is not one of all, backup", e);
    }
  }
}
