package dev.cohort.cli;

/**
 * One line per log record on stderr, for every library: Tomcat (JULI) and JGroups log through
 * java.util.logging, HikariCP through SLF4J (slf4j-simple).
 */
public final class Logging {
  private Logging() {}

  /**
   * Keeps logging alive until {@link #flushAtExit()}: call before adding a shutdown hook that logs.
   */
  public static void keepUntilExit() {
    if (java.util.logging.LogManager.getLogManager()
        instanceof org.apache.juli.ClassLoaderLogManager m) {
      m.setUseShutdownHook(false);
    }
  }

  /** Flushes and closes the log handlers (the last thing a shutdown hook does). */
  public static void flushAtExit() {
    java.util.logging.LogManager.getLogManager().reset();
  }

  static void configure() {
    // Tomcat's log manager, so that log lines written by shutdown hooks (a node draining its
    // sessions on SIGTERM) are not lost to the JDK log manager's own shutdown hook
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", "org.apache.juli.ClassLoaderLogManager");
    }
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
    }
    if (System.getProperty("org.slf4j.simpleLogger.showDateTime") == null) {
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }
  }
}
