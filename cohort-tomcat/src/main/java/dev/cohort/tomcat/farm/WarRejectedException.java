package dev.cohort.tomcat.farm;

/**
 * A WAR (uploaded, dropped or streamed from a member) failed verification: wrong length, wrong
 * SHA-256, too large, or not a ZIP archive. Nothing was deployed; the running version stays.
 */
public final class WarRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  public WarRejectedException(String message) {
    super(message);
  }

  public WarRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
