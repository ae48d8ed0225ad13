package dev.cohort.core.channel;

/**
 * Receives messages sent with {@link ClusterChannel#send}. Messages from one sender are delivered
 * in the order they were sent (FIFO per sender), one at a time per sender.
 */
@FunctionalInterface
public interface MessageHandler {
  void onMessage(Member from, byte[] payload);
}
