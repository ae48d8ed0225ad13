package dev.cohort.testkit;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.wire.MalformedFrameException;
import dev.cohort.core.wire.Op;
import dev.cohort.core.wire.WireCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every operation the members it wraps send: {@code (sender, target, op)}, decoded from the
 * frames on their way out of the sender's channel. Wrap a channel before the engine starts on it
 * ({@link #wrap}); then count what the engine put on the network, e.g. the claims of a take-over.
 * Bulk streams (state transfer) are not recorded. Thread-safe.
 */
public final class SentOps {
  /** One operation sent by {@code from} to {@code to}. */
  public record Sent(String from, String to, Op op) {}

  private final WireCodec codec = new WireCodec(Integer.MAX_VALUE, Integer.MAX_VALUE);
  private final List<Sent> sent = new CopyOnWriteArrayList<>();

  /** {@code channel}, recording what goes out through it. */
  public ClusterChannel wrap(ClusterChannel channel) {
    return new Tapped(channel);
  }

  /** Everything recorded so far, in the order sent. */
  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  /** The claims sent so far: one per target. */
  public List<Op.Claim> claims() {
    return sent.stream()
        .map(Sent::op)
        .filter(Op.Claim.class::isInstance)
        .map(Op.Claim.class::cast)
        .toList();
  }

  /** The members a claim for session {@code id} went to, in the order sent. */
  public List<String> claimTargets(String id) {
    return sent.stream()
        .filter(s -> s.op() instanceof Op.Claim c && c.id().equals(id))
        .map(Sent::to)
        .toList();
  }

  private void record(Member from, Collection<Member> targets, byte[] payload) {
    try {
      for (Op op : codec.decode(payload).ops()) {
        for (Member t : targets) {
          sent.add(new Sent(from.name(), t.name(), op));
        }
      }
    } catch (MalformedFrameException e) {
      throw new IllegalStateException("a member sent a malformed frame: " + e.getMessage(), e);
    }
  }

  private final class Tapped extends ForwardingChannel {
    Tapped(ClusterChannel delegate) {
      super(delegate);
    }

    @Override
    public void send(Collection<Member> targets, byte[] payload) {
      record(localMember(), targets, payload);
      super.send(targets, payload);
    }

    @Override
    public CompletableFuture<Replies> request(
        Collection<Member> targets, byte[] payload, Duration timeout) {
      record(localMember(), targets, payload);
      return super.request(targets, payload, timeout);
    }
  }
}
