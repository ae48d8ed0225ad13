package dev.cohort.testkit;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.WindowedBulkSender;
import java.time.Duration;

/**
 * A bulk stream over the in-memory network; a chunk is acknowledged when the receiver's handler
 * returned. Waits longer than the network's bulk timeout fail the stream.
 */
final class InMemoryBulkSender extends WindowedBulkSender {
  private final InMemoryChannel channel;

  InMemoryBulkSender(
      InMemoryChannel channel,
      Member target,
      String topic,
      long streamId,
      int window,
      Duration timeout) {
    super(target, topic, streamId, window, timeout);
    this.channel = channel;
  }

  @Override
  protected void sendChunk(long seq, byte[] chunk, boolean last) {
    Member self = channel.localMember();
    byte[] copy = chunk.clone(); // the writer may reuse its array; a network copies the bytes
    long stream = streamId();
    String topic = topic();
    channel
        .network()
        .route(self, target(), to -> to.deliverChunk(self, topic, stream, seq, copy, last));
  }

  @Override
  protected void ended() {
    channel.removeBulk(this);
  }
}
