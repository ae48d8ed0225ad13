package dev.cohort.jgroups;

/**
 * Cohort's envelope inside one JGroups message. Decoded by {@link FrameCodec}; a frame that does
 * not decode is dropped and counted, never passed on.
 */
sealed interface Frame {

  /** A {@code send} message. */
  record Msg(byte[] payload) implements Frame {}

  /** A {@code request}; answered with {@link Reply} or {@link Failure} carrying the same id. */
  record Request(long id, byte[] payload) implements Frame {}

  record Reply(long id, byte[] payload) implements Frame {}

  /** The target's handler threw; {@code message} is its class and message. */
  record Failure(long id, String message) implements Frame {}

  /** One chunk of a bulk stream; {@code last} marks the (empty) end marker. */
  record Chunk(long streamId, long seq, boolean last, String topic, byte[] payload)
      implements Frame {}

  /** The receiver's handler returned for chunk {@code seq}; {@code error} is null on success. */
  record Ack(long streamId, long seq, String error) implements Frame {}
}
