package dev.cohort.testkit;

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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ClusterChannel} that forwards every call to another one; decorators (counting, tapping)
 * override what they add.
 */
public abstract class ForwardingChannel implements ClusterChannel {
  private final ClusterChannel delegate;

  protected ForwardingChannel(ClusterChannel delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
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
    delegate.send(targets, payload);
  }

  @Override
  public CompletableFuture<Replies> request(
      Collection<Member> targets, byte[] payload, Duration timeout) {
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
