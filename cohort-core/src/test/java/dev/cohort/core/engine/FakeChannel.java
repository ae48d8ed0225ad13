package dev.cohort.core.engine;

import dev.cohort.core.channel.BulkHandler;
import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.DroppedFrames;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.MembershipListener;
import dev.cohort.core.channel.MessageHandler;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestHandler;
import dev.cohort.core.channel.View;
import dev.cohort.core.wire.WireCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A channel with no network: every request is acknowledged at once with an empty frame, and the
 * test hands frames to the engine's handlers as if they came from a peer.
 */
final class FakeChannel implements ClusterChannel {
  final Member local;
  volatile View view;
  final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  final List<byte[]> requests = new CopyOnWriteArrayList<>();

  /** How many of the next requests time out (nobody answers them). */
  final java.util.concurrent.atomic.AtomicInteger timeouts =
      new java.util.concurrent.atomic.AtomicInteger();

  /** How a member answers a request (null: an empty frame); set by a test. */
  volatile java.util.function.BiFunction<Member, byte[], byte[]> answers;

  /** Every request as (target route names, payload), in order. */
  final List<Map.Entry<List<String>, byte[]>> sent = new CopyOnWriteArrayList<>();

  /** While true, requests are not answered until the test completes them ({@link #held}). */
  volatile boolean hold;

  /** The requests held while {@link #hold} was true: answer one with {@link Held#answer}. */
  final List<Held> held = new CopyOnWriteArrayList<>();

  /** A request nobody answered yet. */
  record Held(List<Member> targets, byte[] payload, CompletableFuture<Replies> reply) {
    /** Every target answers {@code frame}. */
    void answer(byte[] frame) {
      Map<Member, byte[]> r = new HashMap<>();
      for (Member m : targets) {
        r.put(m, frame);
      }
      reply.complete(new Replies(r, Set.of()));
    }
  }

  RequestHandler requestHandler;
  MessageHandler messageHandler;

  /** What the channel reports it dropped; set by a test. */
  volatile DroppedFrames dropped = DroppedFrames.NONE;

  FakeChannel(String me, String... others) {
    local = new Member(me + "#1", me);
    List<Member> ms = new java.util.ArrayList<>();
    ms.add(local);
    for (String o : others) {
      ms.add(new Member(o + "#1", o));
    }
    view = new View(1, ms);
  }

  Member member(String name) {
    return view.byName(name).orElseThrow();
  }

  byte[] deliver(String from, byte[] frame) throws Exception {
    return requestHandler.onRequest(member(from), frame);
  }

  @Override
  public DroppedFrames droppedFrames() {
    return dropped;
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
  public void addMembershipListener(MembershipListener listener) {
    listeners.add(listener);
  }

  /**
   * Installs a view of this member and {@code others}, telling the listeners who joined or left.
   */
  void install(String... others) {
    View prev = view;
    List<Member> ms = new java.util.ArrayList<>();
    ms.add(local);
    for (String o : others) {
      ms.add(prev.byName(o).orElse(new Member(o + "#1", o)));
    }
    View next = new View(prev.id() + 1, ms);
    Set<Member> joined = new java.util.HashSet<>(ms);
    prev.members().forEach(joined::remove);
    Set<Member> left = new java.util.HashSet<>(prev.members());
    ms.forEach(left::remove);
    view = next;
    MembershipEvent ev = new MembershipEvent.ViewInstalled(prev, next, joined, left);
    listeners.forEach(l -> l.onEvent(ev));
  }

  @Override
  public void setMessageHandler(MessageHandler handler) {
    messageHandler = handler;
  }

  @Override
  public void setRequestHandler(RequestHandler handler) {
    requestHandler = handler;
  }

  @Override
  public void setBulkHandler(BulkHandler handler) {}

  @Override
  public void send(Collection<Member> targets, byte[] payload) {}

  @Override
  public CompletableFuture<Replies> request(
      Collection<Member> targets, byte[] payload, Duration timeout) {
    requests.add(payload);
    sent.add(Map.entry(targets.stream().map(Member::name).toList(), payload));
    if (timeouts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return CompletableFuture.failedFuture(
          new dev.cohort.core.channel.RequestTimeoutException(
              Set.copyOf(targets), Set.of(), timeout, null));
    }
    if (hold) {
      CompletableFuture<Replies> later = new CompletableFuture<>();
      held.add(new Held(List.copyOf(targets), payload, later));
      return later;
    }
    Map<Member, byte[]> r = new HashMap<>();
    for (Member m : targets) {
      byte[] a = answers == null ? null : answers.apply(m, payload);
      r.put(m, a != null ? a : new byte[] {WireCodec.VERSION, 0}); // else an empty frame
    }
    return CompletableFuture.completedFuture(new Replies(r, Set.of()));
  }

  @Override
  public BulkSender openBulk(Member target, String topic) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
