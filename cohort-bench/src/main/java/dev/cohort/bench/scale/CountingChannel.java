package dev.cohort.bench.scale;

import dev.cohort.core.channel.BulkHandler;
import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipListener;
import dev.cohort.core.channel.MessageHandler;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestHandler;
import dev.cohort.core.channel.View;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link ClusterChannel} decorator that counts what one member puts on the network: one message
 * per target of a {@code send}, two (request and reply) per target of a {@code request}, and the
 * payload bytes per target. Bulk streams (state transfer) pass through uncounted.
 */
final class CountingChannel implements ClusterChannel {
  private final ClusterChannel delegate;
  final LongAdder messages = new LongAdder();
  final LongAdder bytes = new LongAdder();

  CountingChannel(ClusterChannel delegate) {
    this.delegate = delegate;
  }

  @Override
  public void connect() {
    delegate.connect();
  }

  @Override
  public Member localMember() {
    return delegate.localMember();
  }

  @Override
  public View view() {
    return delegate.view();
  }

  @Override
  public void addMembershipListener(MembershipListener listener) {
    delegate.addMembershipListener(listener);
  }

  @Override
  public void setMessageHandler(MessageHandler handler) {
    delegate.setMessageHandler(handler);
  }

  @Override
  public void setRequestHandler(RequestHandler handler) {
    delegate.setRequestHandler(handler);
  }

  @Override
  public void setBulkHandler(BulkHandler handler) {
    delegate.setBulkHandler(handler);
  }

  @Override
  public void send(Collection<Member> targets, byte[] payload) {
    messages.add(targets.size());
    bytes.add((long) targets.size() * payload.length);
    delegate.send(targets, payload);
  }

  @Override
  public CompletableFuture<Replies> request(
      Collection<Member> targets, byte[] payload, Duration timeout) {
    messages.add(2L * targets.size());
    bytes.add((long) targets.size() * payload.length);
    return delegate.request(targets, payload, timeout);
  }

  @Override
  public BulkSender openBulk(Member target, String topic) {
    return delegate.openBulk(target, topic);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
