package dev.cohort.core.channel;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's only way to talk to its peers: membership, messages, acknowledged requests and bulk
 * streams of bytes. Implementations: JGroups ({@code cohort-jgroups}) and an in-memory one with
 * scripted faults ({@code cohort-testkit}); both pass the same contract test.
 *
 * <p>Lifecycle: register handlers and listeners, then {@link #connect()}; {@link #close()} leaves
 * the cluster gracefully (the others see a leave at once, not a suspicion).
 *
 * <p>Ordering: messages, requests and bulk chunks from one sender to one receiver are delivered in
 * the order they were sent. Handlers run on channel threads; a handler that blocks delays later
 * messages from the same sender, never messages from other senders.
 *
 * <p>Failure modes: sends to members that are not in the view are dropped silently (the engine
 * works from views, not from delivery receipts); {@link #request} reports departed targets in its
 * {@link Replies} and fails with {@link RequestTimeoutException} naming the targets that did not
 * answer in time.
 */
public interface ClusterChannel extends AutoCloseable {

  /** Joins the cluster and returns once a first view that contains this member is installed. */
  void connect();

  /**
   * This member; valid after {@link #connect()}, and within every handler and listener call: other
   * members may send to this one before its {@code connect()} returns.
   */
  Member localMember();

  /** The current view; valid after {@link #connect()}. */
  View view();

  void addMembershipListener(MembershipListener listener);

  /** Sets the one handler for {@link #send} messages. Set before {@link #connect()}. */
  void setMessageHandler(MessageHandler handler);

  /** Sets the one handler for {@link #request}s. Set before {@link #connect()}. */
  void setRequestHandler(RequestHandler handler);

  /** Sets the one handler for bulk streams. Set before {@link #connect()}. */
  void setBulkHandler(BulkHandler handler);

  /** Fire-and-forget to each target; never blocks on the network for long. */
  void send(Collection<Member> targets, byte[] payload);

  /**
   * Sends {@code payload} to each target and completes when each one answered or left the view.
   * Completes exceptionally with {@link RequestTimeoutException} (naming the silent targets) after
   * {@code timeout}, or with {@link RemoteFailureException} if a target's handler threw. An empty
   * target set completes at once.
   */
  CompletableFuture<Replies> request(Collection<Member> targets, byte[] payload, Duration timeout);

  /** Opens an ordered, flow-controlled stream of chunks to one member (state transfer). */
  BulkSender openBulk(Member target, String topic);

  /**
   * Frames this channel dropped before a handler saw them (malformed, failing authentication,
   * replayed, stale). Cheap to call from any thread; a channel that drops nothing on its own
   * reports {@link DroppedFrames#NONE}.
   */
  default DroppedFrames droppedFrames() {
    return DroppedFrames.NONE;
  }

  /** Leaves the cluster; idempotent. */
  @Override
  void close();
}
