package dev.cohort.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.BulkHandler;
import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.MessageHandler;
import dev.cohort.core.channel.RemoteFailureException;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestHandler;
import dev.cohort.core.channel.RequestTimeoutException;
import dev.cohort.core.channel.View;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ClusterChannel} implementation must show. Subclass it in the
 * implementation's tests and provide {@link #newChannel(String)}; every test builds its own small
 * cluster with {@link #cluster(int)} and closes it afterwards.
 *
 * <p>Subclasses must give every test instance its own cluster (JUnit creates one instance per test
 * method): for a networked channel, a unique cluster name and free ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ClusterChannelContract {

  /** A member under test, with recording handlers installed before connect. */
  protected static final class Node {
    public final String name;
    public final ClusterChannel channel;
    public final List<MembershipEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, List<byte[]>> messagesBySender = new ConcurrentHashMap<>();
    public volatile MessageHandler onMessage = (from, payload) -> {};
    public volatile RequestHandler onRequest = (from, payload) -> payload;
    public volatile BulkHandler onChunk = (from, topic, id, seq, chunk, last) -> {};

    Node(String name, ClusterChannel channel) {
      this.name = name;
      this.channel = channel;
      channel.addMembershipListener(events::add);
      channel.setMessageHandler(
          (from, payload) -> {
            messagesBySender
                .computeIfAbsent(from.name(), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(payload);
            onMessage.onMessage(from, payload);
          });
      channel.setRequestHandler((from, payload) -> onRequest.onRequest(from, payload));
      channel.setBulkHandler(
          (from, topic, id, seq, chunk, last) ->
              onChunk.onChunk(from, topic, id, seq, chunk, last));
    }

    public Member member() {
      return channel.localMember();
    }

    /** Messages received from the member named {@code sender}, in delivery order. */
    public List<byte[]> messagesFrom(String sender) {
      List<byte[]> l = messagesBySender.get(sender);
      if (l == null) {
        return List.of();
      }
      synchronized (l) {
        return List.copyOf(l);
      }
    }
  }

  private final List<Node> nodes = new CopyOnWriteArrayList<>();

  /**
   * A new, unconnected channel named {@code name}, in this test's own cluster. Called with names
   * n1, n2, ... in connect order.
   */
  protected abstract ClusterChannel newChannel(String name);

  /** How long a view change may take to be seen everywhere. */
  protected Duration convergence() {
    return Duration.ofSeconds(30);
  }

  /** Creates and connects {@code n} members (n1..nn) and waits until each sees all of them. */
  protected List<Node> cluster(int n) {
    List<Node> created = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Node node = new Node("n" + i, newChannel("n" + i));
      nodes.add(node);
      node.channel.connect();
      created.add(node);
    }
    awaitViewOfSize(created, n);
    return created;
  }

  protected void awaitViewOfSize(List<Node> members, int size) {
    await()
        .atMost(convergence())
        .until(() -> members.stream().allMatch(m -> m.channel.view().size() == size));
  }

  @AfterEach
  void closeNodes() {
    for (Node n : nodes) {
      n.channel.close();
    }
    afterClusterClosed();
  }

  /**
   * Called after every test once all its channels are closed: check implementation invariants here
   * (e.g. that no thread of the closed channels is left).
   */
  protected void afterClusterClosed() {}

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static Throwable causeOf(CompletableFuture<?> f) {
    try {
      f.get(60, TimeUnit.SECONDS);
      throw new AssertionError("expected the future to fail, it completed with " + f.join());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the future did not fail in time", e);
    }
  }

  // ---- membership

  @Test
  void everyMemberInstallsTheSameView_withEveryMember() {
    List<Node> c = cluster(3);
    View first = c.get(0).channel.view();
    for (Node n : c) {
      assertThat(n.channel.view().members()).isEqualTo(first.members());
      assertThat(n.channel.view().contains(n.member())).isTrue();
      assertThat(n.channel.view().byName(n.name)).contains(n.member());
    }
    assertThat(first.members())
        .extracting(Member::name)
        .containsExactlyInAnyOrder("n1", "n2", "n3");
    await()
        .atMost(convergence())
        .until(
            () ->
                c.get(0).events.stream()
                    .anyMatch(
                        e ->
                            e instanceof MembershipEvent.ViewInstalled vi
                                && vi.current().size() == 3));
  }

  @Test
  void firstViewInstalled_comesFirst_andReportsEveryMemberAsJoined_itselfIncluded() {
    List<Node> c = cluster(2);
    Node second = c.get(1);
    await().atMost(convergence()).until(() -> !second.events.isEmpty());
    MembershipEvent first = second.events.get(0);
    assertThat(first).isInstanceOf(MembershipEvent.ViewInstalled.class);
    MembershipEvent.ViewInstalled vi = (MembershipEvent.ViewInstalled) first;
    assertThat(vi.previous().members()).isEmpty();
    assertThat(vi.current().contains(second.member())).isTrue();
    assertThat(vi.joined()).containsExactlyInAnyOrderElementsOf(vi.current().members());
    assertThat(vi.left()).isEmpty();
  }

  @Test
  void closedMember_isSeenLeaving_withViewInstalledThenLeft_andNoSuspicion() {
    List<Node> c = cluster(3);
    Member gone = c.get(2).member();
    c.get(2).channel.close();
    c.get(2).channel.close(); // idempotent
    awaitViewOfSize(c.subList(0, 2), 2);
    for (Node n : c.subList(0, 2)) {
      await().atMost(convergence()).until(() -> leftIndex(n, gone) >= 0);
      List<MembershipEvent> ev = List.copyOf(n.events);
      int left = leftIndex(n, gone);
      int installed = -1;
      for (int i = 0; i < left; i++) {
        if (ev.get(i) instanceof MembershipEvent.ViewInstalled vi && vi.left().contains(gone)) {
          installed = i;
        }
      }
      assertThat(installed).as("ViewInstalled naming the leaver comes before Left").isNotNegative();
      assertThat(ev.subList(0, left))
          .as("a graceful leave is not a suspicion")
          .doesNotContain(new MembershipEvent.Suspected(gone));
      assertThat(n.channel.view().contains(gone)).isFalse();
    }
  }

  private static int leftIndex(Node n, Member gone) {
    List<MembershipEvent> ev = List.copyOf(n.events);
    for (int i = 0; i < ev.size(); i++) {
      if (ev.get(i) instanceof MembershipEvent.Left l && l.member().equals(gone)) {
        return i;
      }
    }
    return -1;
  }

  // ---- messages

  @Test
  void send_deliversToTargetsOnly() {
    List<Node> c = cluster(3);
    Node a = c.get(0);
    a.channel.send(List.of(c.get(1).member()), bytes("only-n2"));
    a.channel.send(List.of(c.get(1).member(), c.get(2).member()), bytes("both"));
    await().atMost(convergence()).until(() -> c.get(2).messagesFrom("n1").size() == 1);
    await().atMost(convergence()).until(() -> c.get(1).messagesFrom("n1").size() == 2);
    // FIFO per sender: had n3 been sent "only-n2", it would have arrived before "both"
    assertThat(c.get(2).messagesFrom("n1")).extracting(b -> text(b)).containsExactly("both");
    assertThat(c.get(1).messagesFrom("n1"))
        .extracting(b -> text(b))
        .containsExactly("only-n2", "both");
    assertThat(a.messagesFrom("n1")).isEmpty();
  }

  @Test
  void tenThousandMessagesFromOneSender_arriveInOrder_atEveryTarget() {
    List<Node> c = cluster(3);
    int count = 10_000;
    List<Member> targets = List.of(c.get(1).member(), c.get(2).member());
    for (int i = 0; i < count; i++) {
      c.get(0).channel.send(targets, ByteBuffer.allocate(4).putInt(i).array());
    }
    for (Node n : c.subList(1, 3)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> n.messagesFrom("n1").size() == count);
      List<byte[]> got = n.messagesFrom("n1");
      for (int i = 0; i < count; i++) {
        assertThat(ByteBuffer.wrap(got.get(i)).getInt())
            .as("message %d at %s", i, n.name)
            .isEqualTo(i);
      }
    }
  }

  @Test
  void blockedHandler_delaysOnlyItsOwnSender() throws Exception {
    List<Node> c = cluster(3);
    CountDownLatch release = new CountDownLatch(1);
    c.get(1).onMessage =
        (from, payload) -> {
          if (from.name().equals("n1")) {
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try {
      c.get(0).channel.send(List.of(c.get(1).member()), bytes("blocks"));
      c.get(0).channel.send(List.of(c.get(1).member()), bytes("behind"));
      await().atMost(convergence()).until(() -> c.get(1).messagesFrom("n1").size() == 1);
      c.get(2).channel.send(List.of(c.get(1).member()), bytes("other sender"));
      await().atMost(convergence()).until(() -> c.get(1).messagesFrom("n3").size() == 1);
      assertThat(c.get(1).messagesFrom("n1")).hasSize(1);
    } finally {
      release.countDown();
    }
    await().atMost(convergence()).until(() -> c.get(1).messagesFrom("n1").size() == 2);
  }

  // ---- requests

  @Test
  void request_completesWithEveryReply() throws Exception {
    List<Node> c = cluster(3);
    for (Node n : c) {
      n.onRequest = (from, payload) -> bytes(n.name + ":" + text(payload) + " from " + from.name());
    }
    Replies r =
        c.get(0)
            .channel
            .request(
                List.of(c.get(1).member(), c.get(2).member()),
                bytes("ping"),
                Duration.ofSeconds(30))
            .get(60, TimeUnit.SECONDS);
    assertThat(r.departed()).isEmpty();
    assertThat(r.replies()).containsOnlyKeys(c.get(1).member(), c.get(2).member());
    assertThat(text(r.replies().get(c.get(1).member()))).isEqualTo("n2:ping from n1");
    assertThat(text(r.replies().get(c.get(2).member()))).isEqualTo("n3:ping from n1");
  }

  @Test
  void request_isOrderedAfterEarlierMessages_fromTheSameSender() throws Exception {
    List<Node> c = cluster(2);
    Node b = c.get(1);
    b.onRequest = (from, payload) -> bytes(Integer.toString(b.messagesFrom("n1").size()));
    for (int i = 0; i < 500; i++) {
      c.get(0).channel.send(List.of(b.member()), bytes("m" + i));
    }
    Replies r =
        c.get(0)
            .channel
            .request(List.of(b.member()), bytes("count?"), Duration.ofSeconds(30))
            .get(60, TimeUnit.SECONDS);
    assertThat(text(r.replies().get(b.member()))).isEqualTo("500");
  }

  @Test
  void requestHandler_mayRequestBackToTheCaller() throws Exception {
    List<Node> c = cluster(2);
    Node a = c.get(0);
    Node b = c.get(1);
    a.onRequest = (from, payload) -> bytes("a:" + text(payload));
    b.onRequest =
        (from, payload) -> {
          Replies back =
              b.channel
                  .request(List.of(from), bytes("nested"), Duration.ofSeconds(20))
                  .get(30, TimeUnit.SECONDS);
          return bytes("b saw " + text(back.replies().get(from)));
        };
    Replies r =
        a.channel
            .request(List.of(b.member()), bytes("outer"), Duration.ofSeconds(30))
            .get(60, TimeUnit.SECONDS);
    assertThat(text(r.replies().get(b.member()))).isEqualTo("b saw a:nested");
  }

  @Test
  void request_toMemberThatNeverAnswers_failsWithTimeoutNamingIt() {
    List<Node> c = cluster(3);
    CountDownLatch release = new CountDownLatch(1);
    c.get(2).onRequest =
        (from, payload) -> {
          release.await(60, TimeUnit.SECONDS);
          return payload;
        };
    try {
      CompletableFuture<Replies> f =
          c.get(0)
              .channel
              .request(
                  List.of(c.get(1).member(), c.get(2).member()),
                  bytes("hello"),
                  Duration.ofMillis(500));
      Throwable t = causeOf(f);
      assertThat(t).isInstanceOf(RequestTimeoutException.class);
      RequestTimeoutException rte = (RequestTimeoutException) t;
      assertThat(rte.missing()).containsExactly(c.get(2).member());
      assertThat(rte.answered()).containsExactly(c.get(1).member());
      assertThat(rte.getMessage()).contains("n3");
    } finally {
      release.countDown();
    }
  }

  @Test
  void remoteHandlerException_failsRequestWithRemoteFailure() {
    List<Node> c = cluster(2);
    c.get(1).onRequest =
        (from, payload) -> {
          throw new IllegalStateException("boom in handler");
        };
    CompletableFuture<Replies> f =
        c.get(0).channel.request(List.of(c.get(1).member()), bytes("x"), Duration.ofSeconds(30));
    Throwable t = causeOf(f);
    assertThat(t).isInstanceOf(RemoteFailureException.class);
    assertThat(((RemoteFailureException) t).member()).isEqualTo(c.get(1).member());
    assertThat(t.getMessage()).contains("boom in handler");
  }

  @Test
  void emptyTargetRequest_completesAtOnce() {
    List<Node> c = cluster(1);
    CompletableFuture<Replies> f =
        c.get(0).channel.request(List.of(), bytes("x"), Duration.ofSeconds(30));
    assertThat(f).isCompleted();
    assertThat(f.join().replies()).isEmpty();
    assertThat(f.join().departed()).isEmpty();
  }

  @Test
  void request_toMemberNoLongerInView_reportsItDeparted() throws Exception {
    List<Node> c = cluster(3);
    Member gone = c.get(2).member();
    c.get(2).channel.close();
    awaitViewOfSize(c.subList(0, 2), 2);
    Replies r =
        c.get(0)
            .channel
            .request(List.of(c.get(1).member(), gone), bytes("x"), Duration.ofSeconds(30))
            .get(60, TimeUnit.SECONDS);
    assertThat(r.departed()).containsExactly(gone);
    assertThat(r.replies()).containsOnlyKeys(c.get(1).member());
  }

  @Test
  void sendToMemberNotInView_isDroppedSilently() {
    List<Node> c = cluster(2);
    Member stranger = new Member("no-such-id", "stranger");
    c.get(0).channel.send(List.of(stranger, c.get(1).member()), bytes("x"));
    await().atMost(convergence()).until(() -> c.get(1).messagesFrom("n1").size() == 1);
  }

  // ---- bulk

  @Test
  void bulkStream_deliversChunksInOrderWithEndMarker_andBlocksTheSenderWhileReceiverIsSlow()
      throws Exception {
    List<Node> c = cluster(2);
    int total = 300;
    CountDownLatch release = new CountDownLatch(1);
    List<String> got = new CopyOnWriteArrayList<>();
    AtomicReference<String> lastSeen = new AtomicReference<>();
    c.get(1).onChunk =
        (from, topic, id, seq, chunk, last) -> {
          if (seq == 0) {
            release.await(60, TimeUnit.SECONDS);
          }
          if (last) {
            lastSeen.set(topic + "/" + seq + "/" + chunk.length + "/" + from.name());
          } else {
            got.add(seq + ":" + text(chunk));
          }
        };
    AtomicInteger written = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(1);
    Thread writer =
        new Thread(
            () -> {
              try (BulkSender s = c.get(0).channel.openBulk(c.get(1).member(), "state")) {
                for (int i = 0; i < total; i++) {
                  s.write(bytes("chunk-" + i));
                  written.incrementAndGet();
                }
                s.finish();
              } catch (Throwable t) {
                failure.set(t);
              } finally {
                finished.countDown();
              }
            },
            "contract-bulk-writer");
    writer.start();
    try {
      await()
          .atMost(convergence())
          .until(
              () ->
                  (writer.getState() == Thread.State.WAITING
                          || writer.getState() == Thread.State.TIMED_WAITING)
                      && written.get() > 0);
      assertThat(written.get()).as("the writer is held back by the window").isLessThan(total);
      assertThat(got).isEmpty();
    } finally {
      release.countDown();
    }
    assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(failure.get()).isNull();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      expected.add(i + ":chunk-" + i);
    }
    assertThat(got).containsExactlyElementsOf(expected);
    assertThat(lastSeen.get()).isEqualTo("state/" + total + "/0/n1");
  }

  @Test
  void bulkWrite_failsWhenReceiverHandlerThrows() {
    List<Node> c = cluster(2);
    c.get(1).onChunk =
        (from, topic, id, seq, chunk, last) -> {
          throw new IllegalStateException("cannot store");
        };
    assertThatThrownBy(
            () -> {
              try (BulkSender s = c.get(0).channel.openBulk(c.get(1).member(), "t")) {
                for (int i = 0; i < 1000; i++) {
                  s.write(bytes("x"));
                }
                s.finish();
              }
            })
        .isInstanceOf(dev.cohort.core.channel.ChannelException.class)
        .hasMessageContaining("cannot store");
  }

  @Test
  void everyMemberSeesAJoin() {
    List<Node> c = cluster(2);
    Node n3 = new Node("n3", newChannel("n3"));
    nodes.add(n3);
    n3.channel.connect();
    List<Node> all = List.of(c.get(0), c.get(1), n3);
    awaitViewOfSize(all, 3);
    Member joined = n3.member();
    for (Node n : c) {
      await()
          .atMost(convergence())
          .until(() -> n.events.contains(new MembershipEvent.Joined(joined, n.channel.view())));
    }
    assertThat(Set.copyOf(n3.channel.view().members()))
        .isEqualTo(Set.copyOf(c.get(0).channel.view().members()));
  }

  /**
   * A member that is told about a joiner sends to it at once, and the joiner's handlers may run
   * before its {@code connect()} returns: they must be able to name the local member by then (a
   * replication engine that cannot would have to refuse the frame).
   */
  @Test
  void handlersOfAJoiner_canNameIt_evenBeforeConnectReturns() throws Exception {
    List<Node> c = cluster(1);
    Node n1 = c.get(0);
    CompletableFuture<Replies> greeting = new CompletableFuture<>();
    n1.channel.addMembershipListener(
        ev -> {
          if (ev instanceof MembershipEvent.Joined j && !j.member().equals(n1.member())) {
            n1.channel
                .request(List.of(j.member()), bytes("welcome"), Duration.ofSeconds(10))
                .whenComplete(
                    (r, err) -> {
                      if (err != null) {
                        greeting.completeExceptionally(err);
                      } else {
                        greeting.complete(r);
                      }
                    });
          }
        });
    Node n2 = new Node("n2", newChannel("n2"));
    nodes.add(n2);
    List<String> named = new CopyOnWriteArrayList<>();
    n2.onRequest =
        (from, payload) -> {
          named.add(n2.channel.localMember().name());
          return payload;
        };
    n2.channel.connect();
    Replies r = greeting.get(30, TimeUnit.SECONDS);
    assertThat(r.replies()).containsKey(n2.member());
    assertThat(named).containsExactly("n2");
  }
}
