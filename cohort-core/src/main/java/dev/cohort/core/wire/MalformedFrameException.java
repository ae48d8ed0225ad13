package dev.cohort.core.wire;

/** A frame from the network could not be decoded; the receiver drops it and counts it. */
public final class MalformedFrameException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedFrameException(String message) {
    super(message, null, false, false);
  }
}
