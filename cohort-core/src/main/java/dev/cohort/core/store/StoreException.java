package dev.cohort.core.store;

/** A {@link SessionStore} back-end failed. The message names the store and the cause. */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
