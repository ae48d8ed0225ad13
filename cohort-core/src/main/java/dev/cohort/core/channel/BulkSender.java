package dev.cohort.core.channel;

/**
 * An open bulk stream to one member. Not thread-safe: one thread writes a stream.
 *
 * <p>{@link #write} blocks while the configured window of chunks is unacknowledged, so memory on
 * both sides stays bounded by window x chunk size. If the receiver leaves the view or stops
 * acknowledging for longer than the channel's timeout, {@code write} and {@link #finish} throw
 * {@link ChannelException}.
 */
public interface BulkSender extends AutoCloseable {
  void write(byte[] chunk) throws InterruptedException;

  /** Sends the end marker and waits until every chunk has been acknowledged. */
  void finish() throws InterruptedException;

  /** Abandons the stream if not finished; the receiver sees no end marker. */
  @Override
  void close();
}
