package dev.cohort.core.channel;

/**
 * Receives bulk streams (state transfer). For one stream, chunks arrive in order, one at a time; a
 * chunk is acknowledged to the sender only when this method returns, so a slow handler slows the
 * sender down (back-pressure) instead of filling memory.
 */
@FunctionalInterface
public interface BulkHandler {
  /**
   * @param from the sending member
   * @param topic the topic the sender named when it opened the stream
   * @param streamId unique per sender
   * @param seq 0, 1, 2, ... within the stream
   * @param chunk the bytes, or an empty array for the end marker
   * @param last true for the end marker only; after it no further chunk of this stream comes
   */
  void onChunk(Member from, String topic, long streamId, long seq, byte[] chunk, boolean last)
      throws Exception;
}
