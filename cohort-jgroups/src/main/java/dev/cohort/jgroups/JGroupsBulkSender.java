package dev.cohort.jgroups;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.WindowedBulkSender;
import java.time.Duration;

/**
 * A bulk stream as ordinary (FIFO) messages with an acknowledgement window; the receiver
 * acknowledges a chunk (out of band) when its handler returned.
 */
final class JGroupsBulkSender extends WindowedBulkSender {
  private final JGroupsChannel channel;

  JGroupsBulkSender(
      JGroupsChannel channel,
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
    channel.sendChunk(target(), new Frame.Chunk(streamId(), seq, last, topic(), chunk));
  }

  @Override
  protected void ended() {
    channel.removeBulk(this);
  }
}
