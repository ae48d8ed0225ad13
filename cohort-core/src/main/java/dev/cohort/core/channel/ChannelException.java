package dev.cohort.core.channel;

/** A cluster channel operation failed. The message names what failed and why. */
public class ChannelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ChannelException(String message) {
    super(message);
  }

  public ChannelException(String message, Throwable cause) {
    super(message, cause);
  }
}
