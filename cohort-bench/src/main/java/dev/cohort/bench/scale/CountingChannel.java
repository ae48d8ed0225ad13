package dev.cohort.bench.scale;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.Replies;
import dev.cohort.testkit.ForwardingChannel;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link ClusterChannel} decorator that counts what one member puts on the network: one message
 * per target of a {@code send}, two (request and reply) per target of a {@code request}, and the
 * payload bytes per target. Bulk streams (state transfer) pass through uncounted.
 */
final class CountingChannel extends ForwardingChannel {
  final LongAdder messages = new LongAdder();
  final LongAdder bytes = new LongAdder();

  CountingChannel(ClusterChannel delegate) {
    super(delegate);
  }

  @Override
  public void send(Collection<Member> targets, byte[] payload) {
    messages.add(targets.size());
    bytes.add((long) targets.size() * payload.length);
    super.send(targets, payload);
  }

  @Override
  public CompletableFuture<Replies> request(
      Collection<Member> targets, byte[] payload, Duration timeout) {
    messages.add(2L * targets.size());
    bytes.add((long) targets.size() * payload.length);
    return super.request(targets, payload, timeout);
  }
}
