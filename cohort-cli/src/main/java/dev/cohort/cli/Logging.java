package dev.cohort.cli;

/**
 * One line per log record on stderr, for every library: Tomcat (JULI) and JGroups log through
 * java.util.logging, HikariCP through SLF4J (slf4j-simple).
 */
final class Logging {
  private Logging() {}

  static void configure() {
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
