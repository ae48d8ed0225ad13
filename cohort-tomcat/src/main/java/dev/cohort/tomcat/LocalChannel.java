package dev.cohort.tomcat;

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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster of one, with no network: the engine of a {@link PersistentManager}. The view never
 * changes, so the engine owns every session, holds no replicas, and its take-over of an unknown id
 * asks only the store. Messages to other members cannot happen (there are none) and are ignored.
 */
final class LocalChannel implements ClusterChannel {
  private final Member local;
  private final View view;

  LocalChannel(String name) {
    this.local = new Member(name + "#" + UUID.randomUUID(), name);
    this.view = new View(1, List.of(local));
  }

  @Override
  public void connect() {}

  @Override
  public Member localMember() {
    return local;
  }

  @Override
  public View view() {
    return view;
  }

  @Override
  public void addMembershipListener(MembershipListener listener) {}

  @Override
  public void setMessageHandler(MessageHandler handler) {}

  @Override
  public void setRequestHandler(RequestHandler handler) {}

  @Override
  public void setBulkHandler(BulkHandler handler) {}

  @Override
  public void send(Collection<Member> targets, byte[] payload) {}

  @Override
  public CompletableFuture<Replies> request(
      Collection<Member> targets, byte[] payload, Duration timeout) {
    // no other member: whoever was addressed has departed
    return CompletableFuture.completedFuture(new Replies(Map.of(), Set.copyOf(targets)));
  }

  @Override
  public BulkSender openBulk(Member target, String topic) {
    throw new UnsupportedOperationException(
        "state transfer to " + target + " failed: a persistent manager has no cluster members");
  }

  @Override
  public void close() {}
}
