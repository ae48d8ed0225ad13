package dev.cohort.testkit;

import dev.cohort.core.channel.BulkHandler;
import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ChannelException;
import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.MembershipListener;
import dev.cohort.core.channel.MessageHandler;
import dev.cohort.core.channel.RemoteFailureException;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestHandler;
import dev.cohort.core.channel.RequestTimeoutException;
import dev.cohort.core.channel.View;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of an {@link InMemoryNetwork}. Membership and routing decisions are the network's;
 * this class keeps the member's handlers, its view, its pending requests and its open bulk streams.
 *
 * <p>Threading: handlers run on the lane from their sender (one lane per sender, FIFO); membership
 * listeners run on this member's event lane. State shared with the network is guarded by the
 * network's lock (view, lifecycle) or by the pending request's own monitor.
 */
final class InMemoryChannel implements ClusterChannel {
  static final View NO_VIEW = new View(-1, List.of());

  private final InMemoryNetwork net;
  private final String name;
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Lane> lanesFrom = new ConcurrentHashMap<>();
  private final Map<Long, PendingRequest> pending = new ConcurrentHashMap<>();
  private final Set<InMemoryBulkSender> bulks = ConcurrentHashMap.newKeySet();
  private final AtomicLong nextRequestId = new AtomicLong();
  private final AtomicLong nextStreamId = new AtomicLong();
  private final Lane events;

  private volatile MessageHandler messageHandler;
  private volatile RequestHandler requestHandler;
  private volatile BulkHandler bulkHandler;

  // guarded by net.lock
  private Member member;
  private volatile View view = NO_VIEW;
  private volatile boolean connected;
  private volatile boolean closed;

  InMemoryChannel(InMemoryNetwork net, String name) {
    this.net = net;
    this.name = name;
    this.events = net.newLane();
  }

  String name() {
    return name;
  }

  // ---- ClusterChannel

  @Override
  public void connect() {
    if (closed) {
      throw new IllegalStateException(
          "connect failed [" + name + "]: the channel is closed — create a new one");
    }
    if (connected) {
      return;
    }
    net.join(this);
  }

  @Override
  public Member localMember() {
    Member m = member;
    if (m == null) {
      throw new IllegalStateException("localMember [" + name + "]: not connected — call connect()");
    }
    return m;
  }

  @Override
  public View view() {
    return view;
  }

  @Override
  public void addMembershipListener(MembershipListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void setMessageHandler(MessageHandler handler) {
    this.messageHandler = handler;
  }

  @Override
  public void setRequestHandler(RequestHandler handler) {
    this.requestHandler = handler;
  }

  @Override
  public void setBulkHandler(BulkHandler handler) {
    this.bulkHandler = handler;
  }

  @Override
  public void send(Collection<Member> targets, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    if (!connected || closed) {
      return;
    }
    View v = view;
    byte[] copy = payload.clone();
    Member self = member;
    for (Member target : new LinkedHashSet<>(targets)) {
      if (v.contains(target)) {
        net.route(self, target, to -> to.deliverMessage(self, copy));
      }
    }
  }

  @Override
  public CompletableFuture<Replies> request(
      Collection<Member> targets, byte[] payload, Duration timeout) {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<Replies> future = new CompletableFuture<>();
    Set<Member> all = new LinkedHashSet<>(targets);
    if (all.isEmpty()) {
      future.complete(new Replies(Map.of(), Set.of()));
      return future;
    }
    if (!connected || closed) {
      future.completeExceptionally(
          new ChannelException(
              "request failed [" + name + "]: the channel is not connected — connect() first"));
      return future;
    }
    long id = nextRequestId.incrementAndGet();
    PendingRequest p = new PendingRequest(all, future, timeout);
    pending.put(id, p);
    future.whenComplete((r, e) -> pending.remove(id));
    View v = view;
    for (Member t : all) {
      if (!v.contains(t)) {
        p.departed(t);
      }
    }
    if (future.isDone()) {
      return future;
    }
    Runnable cancelTimer = net.scheduleTimeout(() -> p.timeOut(view), timeout);
    future.whenComplete((r, e) -> cancelTimer.run());
    byte[] copy = payload.clone();
    Member self = member;
    for (Member t : all) {
      if (v.contains(t)) {
        net.route(self, t, to -> to.deliverRequest(self, id, copy));
      }
    }
    return future;
  }

  @Override
  public BulkSender openBulk(Member target, String topic) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(topic, "topic");
    if (!connected || closed) {
      throw new ChannelException(
          "open bulk stream failed [" + name + "]: the channel is not connected — connect() first");
    }
    if (!view.contains(target)) {
      throw new ChannelException(
          "open bulk stream failed [target "
              + target
              + ", topic "
              + topic
              + "]: the target is not in the view "
              + view.members()
              + " — pick a target from the current view");
    }
    InMemoryBulkSender s =
        new InMemoryBulkSender(
            this,
            target,
            topic,
            nextStreamId.incrementAndGet(),
            net.bulkWindow(),
            net.bulkTimeout());
    bulks.add(s);
    return s;
  }

  @Override
  public void close() {
    net.leave(this, false);
  }

  // ---- called by the network (under its lock unless said otherwise)

  void joined(Member self) {
    this.member = self;
    this.connected = true;
  }

  boolean isAlive() {
    return connected && !closed;
  }

  Member member() {
    return member;
  }

  /** Marks this channel closed and fails what it was waiting for. */
  void shutDown(String why) {
    closed = true;
    ChannelException e = new ChannelException(why);
    for (PendingRequest p : pending.values()) {
      p.future.completeExceptionally(e);
    }
    for (InMemoryBulkSender b : bulks) {
      b.fail(why);
    }
  }

  /**
   * Installs a view and queues the events it implies; returns true if the event lane must be
   * started after the network's lock is released.
   */
  boolean install(View next, List<MembershipEvent> before, List<MembershipEvent> implied) {
    View previous = view;
    view = next;
    for (PendingRequest p : pending.values()) {
      for (Member t : p.targets) {
        if (!next.contains(t)) {
          p.departed(t);
        }
      }
    }
    for (InMemoryBulkSender b : bulks) {
      if (!next.contains(b.target())) {
        b.fail(
            "bulk stream failed [target "
                + b.target()
                + ", topic "
                + b.topic()
                + "]: the target left the view "
                + next.members()
                + " — restart the transfer to a member of the current view");
      }
    }
    List<MembershipEvent> all = new ArrayList<>(before);
    all.add(installed(previous, next));
    all.addAll(implied);
    return events.offer(() -> fire(all), 0);
  }

  /** Starts the event lane after {@link #install} asked for it. */
  Runnable eventLaneStarter() {
    return events::start;
  }

  static MembershipEvent.ViewInstalled installed(View previous, View next) {
    Set<Member> joined = new LinkedHashSet<>(next.members());
    joined.removeAll(previous.members());
    Set<Member> left = new LinkedHashSet<>(previous.members());
    left.removeAll(next.members());
    return new MembershipEvent.ViewInstalled(previous, next, joined, left);
  }

  private void fire(List<MembershipEvent> all) {
    if (closed) {
      return;
    }
    for (MembershipEvent e : all) {
      for (MembershipListener l : listeners) {
        try {
          l.onEvent(e);
        } catch (RuntimeException ex) {
          net.countHandlerFailure();
        }
      }
    }
  }

  Lane laneFrom(Member sender) {
    return lanesFrom.computeIfAbsent(sender.id(), k -> net.newLane());
  }

  // ---- deliveries (on the lane from the sender)

  private void deliverMessage(Member from, byte[] payload) {
    MessageHandler h = messageHandler;
    if (h != null && isAlive()) {
      h.onMessage(from, payload);
    }
  }

  private void deliverRequest(Member from, long id, byte[] payload) {
    if (!isAlive()) {
      return;
    }
    RequestHandler h = requestHandler;
    byte[] reply = null;
    String error = null;
    if (h == null) {
      error = "no request handler is set on " + name;
    } else {
      try {
        reply = h.onRequest(from, payload);
        if (reply == null) {
          reply = new byte[0];
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error = "interrupted";
      } catch (Exception e) {
        error = e.getClass().getName() + ": " + e.getMessage();
      }
    }
    byte[] r = reply;
    String err = error;
    Member self = member;
    net.routeOutOfBand(self, from, to -> to.onReply(self, id, r, err));
  }

  private void onReply(Member from, long id, byte[] reply, String error) {
    PendingRequest p = pending.get(id);
    if (p != null) {
      p.answered(from, reply, error);
    }
  }

  void deliverChunk(
      Member from, String topic, long streamId, long seq, byte[] chunk, boolean last) {
    if (!isAlive()) {
      return;
    }
    BulkHandler h = bulkHandler;
    String error = null;
    if (h == null) {
      error = "no bulk handler is set on " + name;
    } else {
      try {
        h.onChunk(from, topic, streamId, seq, chunk, last);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error = "interrupted";
      } catch (Exception e) {
        error = e.getClass().getName() + ": " + e.getMessage();
      }
    }
    String err = error;
    Member self = member;
    net.routeOutOfBand(self, from, to -> to.onBulkAck(streamId, seq, err));
  }

  private void onBulkAck(long streamId, long seq, String error) {
    for (InMemoryBulkSender b : bulks) {
      if (b.streamId() == streamId) {
        b.acked(seq, error);
      }
    }
  }

  void removeBulk(InMemoryBulkSender b) {
    bulks.remove(b);
  }

  InMemoryNetwork network() {
    return net;
  }

  @Override
  public String toString() {
    return "InMemoryChannel[" + name + "]";
  }

  /** One outstanding request: who answered, who left, and the future to complete. */
  private static final class PendingRequest {
    final Set<Member> targets;
    final CompletableFuture<Replies> future;
    final Duration timeout;
    private final Map<Member, byte[]> replies = new HashMap<>();
    private final Set<Member> departed = new HashSet<>();

    PendingRequest(Set<Member> targets, CompletableFuture<Replies> future, Duration timeout) {
      this.targets = Set.copyOf(targets);
      this.future = future;
      this.timeout = timeout;
    }

    synchronized void answered(Member from, byte[] reply, String error) {
      if (!targets.contains(from) || replies.containsKey(from) || departed.contains(from)) {
        return;
      }
      if (error != null) {
        future.completeExceptionally(new RemoteFailureException(from, error));
        return;
      }
      replies.put(from, reply);
      completeIfDone();
    }

    synchronized void departed(Member m) {
      if (replies.containsKey(m) || !departed.add(m)) {
        return;
      }
      completeIfDone();
    }

    synchronized void timeOut(View view) {
      Set<Member> missing = new LinkedHashSet<>(targets);
      missing.removeAll(replies.keySet());
      missing.removeAll(departed);
      future.completeExceptionally(
          new RequestTimeoutException(missing, replies.keySet(), timeout, view));
    }

    private void completeIfDone() {
      if (replies.size() + departed.size() == targets.size()) {
        future.complete(new Replies(replies, departed));
      }
    }
  }
}
