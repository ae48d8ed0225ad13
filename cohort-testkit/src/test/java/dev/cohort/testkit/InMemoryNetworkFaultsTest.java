package dev.cohort.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ChannelException;
import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestTimeoutException;
import dev.cohort.core.channel.View;
import dev.cohort.testkit.InMemoryNetwork.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scripted faults, mostly on synchronous delivery so that each step is deterministic. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InMemoryNetworkFaultsTest {
  private final InMemoryNetwork net = new InMemoryNetwork(Delivery.SYNCHRONOUS);
  private final Map<String, List<MembershipEvent>> events =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, List<String>> received = new java.util.concurrent.ConcurrentHashMap<>();

  @AfterEach
  void closeNetwork() {
    net.close();
  }

  private ClusterChannel member(String name) {
    ClusterChannel c = net.newChannel(name);
    List<MembershipEvent> ev = new CopyOnWriteArrayList<>();
    List<String> msgs = new CopyOnWriteArrayList<>();
    events.put(name, ev);
    received.put(name, msgs);
    c.addMembershipListener(ev::add);
    c.setMessageHandler((from, p) -> msgs.add(from.name() + ":" + text(p)));
    c.setRequestHandler((from, p) -> p);
    c.connect();
    return c;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static List<String> names(View v) {
    return v.members().stream().map(Member::name).toList();
  }

  @Test
  void synchronousDelivery_completesRequestsBeforeTheyReturn() {
    ClusterChannel a = member("a");
    ClusterChannel b = member("b");
    a.send(List.of(b.localMember()), bytes("hi"));
    assertThat(received.get("b")).containsExactly("a:hi");
    CompletableFuture<Replies> f =
        a.request(List.of(b.localMember()), bytes("ping"), Duration.ofSeconds(5));
    assertThat(f).isCompleted();
    assertThat(text(f.join().replies().get(b.localMember()))).isEqualTo("ping");
  }

  @Test
  void viewsAreTheSameEverywhere_andIdsIncrease_coordinatorJoinedFirst() {
    ClusterChannel a = member("a");
    long first = a.view().id();
    ClusterChannel b = member("b");
    ClusterChannel c = member("c");
    assertThat(a.view()).isEqualTo(b.view()).isEqualTo(c.view());
    assertThat(a.view().id()).isGreaterThan(first);
    assertThat(a.view().coordinator()).isEqualTo(a.localMember());
    assertThat(names(a.view())).containsExactly("a", "b", "c");
  }

  @Test
  void firstView_reportsEveryMemberAsJoined() {
    member("a");
    ClusterChannel b = member("b");
    MembershipEvent first = events.get("b").get(0);
    assertThat(first).isInstanceOf(MembershipEvent.ViewInstalled.class);
    MembershipEvent.ViewInstalled vi = (MembershipEvent.ViewInstalled) first;
    assertThat(vi.previous().members()).isEmpty();
    assertThat(vi.joined()).hasSize(2).contains(b.localMember());
  }

  @Test
  void dropNext_dropsExactlyThatManyDeliveriesToTheMember() {
    ClusterChannel a = member("a");
    ClusterChannel b = member("b");
    net.dropNext(2, "b");
    for (int i = 0; i < 4; i++) {
      a.send(List.of(b.localMember()), bytes("m" + i));
    }
    assertThat(received.get("b")).containsExactly("a:m2", "a:m3");
    assertThat(net.droppedDeliveries()).isEqualTo(2);
  }

  @Test
  void droppedRequest_timesOutNamingTheMember() {
    ClusterChannel a = member("a");
    ClusterChannel b = member("b");
    ClusterChannel c = member("c");
    net.dropNext(1, "c");
    CompletableFuture<Replies> f =
        a.request(List.of(b.localMember(), c.localMember()), bytes("x"), Duration.ofMillis(100));
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            RequestTimeoutException.class,
            e -> {
              assertThat(e.missing()).containsExactly(c.localMember());
              assertThat(e.answered()).containsExactly(b.localMember());
            })
        .hasMessageContaining("c");
  }

  @Test
  void withAManualClock_requestsTimeOutOnlyWhenTheClockPassesTheirDeadline() {
    ManualClock clock = new ManualClock();
    try (InMemoryNetwork manual = new InMemoryNetwork(Delivery.SYNCHRONOUS, clock)) {
      ClusterChannel a = manual.newChannel("a");
      ClusterChannel b = manual.newChannel("b");
      b.setRequestHandler((from, p) -> p);
      a.connect();
      b.connect();
      manual.dropNext(1, "b");
      CompletableFuture<Replies> f =
          a.request(List.of(b.localMember()), bytes("x"), Duration.ofSeconds(5));
      clock.advance(Duration.ofMillis(4999));
      assertThat(f).isNotDone();
      clock.advance(Duration.ofMillis(1));
      assertThat(f).isCompletedExceptionally();
      assertThatThrownBy(f::join)
          .cause()
          .isInstanceOfSatisfying(
              RequestTimeoutException.class,
              e -> assertThat(e.missing()).containsExactly(b.localMember()));
      CompletableFuture<Replies> answered =
          a.request(List.of(b.localMember()), bytes("y"), Duration.ofSeconds(5));
      assertThat(answered).isCompleted();
      clock.advance(Duration.ofMinutes(1)); // a completed request's timer is gone
      assertThat(answered.join().replies()).containsKey(b.localMember());
    }
  }

  @Test
  void kill_othersSuspectThenSeeItLeave_andItsPendingRequestsFail() {
    ClusterChannel a = member("a");
    ClusterChannel b = member("b");
    net.dropNext(1, "a"); // b's request to a is lost, so it stays pending
    CompletableFuture<Replies> pending =
        b.request(List.of(a.localMember()), bytes("x"), Duration.ofSeconds(20));
    Member gone = b.localMember();
    net.kill("b");
    assertThat(pending).isCompletedExceptionally();
    assertThatThrownBy(pending::join).hasCauseInstanceOf(ChannelException.class);
    assertThat(names(a.view())).containsExactly("a");
    List<MembershipEvent> ev = events.get("a");
    int n = ev.size();
    assertThat(ev.subList(n - 3, n))
        .satisfiesExactly(
            e -> assertThat(e).isEqualTo(new MembershipEvent.Suspected(gone)),
            e -> assertThat(e).isInstanceOf(MembershipEvent.ViewInstalled.class),
            e -> assertThat(e).isEqualTo(new MembershipEvent.Left(gone, a.view())));
    assertThat(net.liveMembers()).containsExactly("a");
  }

  @Test
  void requestToAMemberThatIsKilled_reportsItDeparted() {
    ClusterChannel a = member("a");
    ClusterChannel b = member("b");
    ClusterChannel c = member("c");
    net.dropNext(1, "c"); // the request to c is lost, so c never answers
    CompletableFuture<Replies> f =
        a.request(List.of(b.localMember(), c.localMember()), bytes("x"), Duration.ofSeconds(20));
    assertThat(f).isNotDone();
    net.kill("c");
    assertThat(f).isCompleted();
    assertThat(f.join().departed()).containsExactly(c.localMember());
    assertThat(f.join().replies()).containsOnlyKeys(b.localMember());
  }

  @Test
  void partition_splitsViews_dropsTrafficAcross_andHealMerges() {
    ClusterChannel a = member("a");
    ClusterChannel b = member("b");
    ClusterChannel c = member("c");
    View before = a.view();
    net.partition(Set.of("a", "b"), Set.of("c"));
    assertThat(names(a.view())).containsExactly("a", "b");
    assertThat(b.view()).isEqualTo(a.view());
    assertThat(names(c.view())).containsExactly("c");
    assertThat(events.get("a")).contains(new MembershipEvent.Suspected(c.localMember()));
    assertThat(events.get("c")).contains(new MembershipEvent.Suspected(a.localMember()));

    // c is not in a's view: a cannot even address it; and b cannot reach c through the network
    c.send(List.of(a.localMember()), bytes("lost"));
    assertThat(received.get("a")).isEmpty();

    net.heal();
    View merged = a.view();
    assertThat(names(merged)).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(merged.id()).isGreaterThan(before.id());
    assertThat(b.view()).isEqualTo(merged);
    assertThat(c.view()).isEqualTo(merged);
    MembershipEvent last = events.get("c").get(events.get("c").size() - 1);
    assertThat(last).isInstanceOf(MembershipEvent.Merged.class);
    MembershipEvent.Merged m = (MembershipEvent.Merged) last;
    assertThat(m.view()).isEqualTo(merged);
    assertThat(m.subgroups())
        .extracting(InMemoryNetworkFaultsTest::names)
        .containsExactlyInAnyOrder(List.of("a", "b"), List.of("c"));
    c.send(List.of(a.localMember()), bytes("back"));
    assertThat(received.get("a")).containsExactly("c:back");
  }

  @Test
  void partition_rejectsUnknownMembersAndOverlaps() {
    member("a");
    member("b");
    assertThatThrownBy(() -> net.partition(Set.of("a"), Set.of("zz")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("partition: 'zz'");
    assertThatThrownBy(() -> net.partition(Set.of("a"), Set.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two groups");
  }

  @Test
  void duplicateName_isRefused() {
    member("a");
    ClusterChannel again = net.newChannel("a");
    assertThatThrownBy(again::connect)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("name:");
  }

  @Test
  void restartedMember_getsANewId_sameName() {
    ClusterChannel a = member("a");
    ClusterChannel b = member("b");
    Member first = b.localMember();
    b.close();
    ClusterChannel b2 = member("b");
    assertThat(b2.localMember().name()).isEqualTo("b");
    assertThat(b2.localMember().id()).isNotEqualTo(first.id());
    assertThat(a.view().members()).containsExactly(a.localMember(), b2.localMember());
  }

  @Test
  void delay_holdsDeliveriesButKeepsFifo() {
    InMemoryNetwork async = new InMemoryNetwork();
    try {
      ClusterChannel a = async.newChannel("a");
      ClusterChannel b = async.newChannel("b");
      List<String> got = new CopyOnWriteArrayList<>();
      b.setMessageHandler((from, p) -> got.add(text(p)));
      a.connect();
      b.connect();
      async.delay("b", Duration.ofMillis(200));
      long start = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        a.send(List.of(b.localMember()), bytes("m" + i));
      }
      async.delay("b", Duration.ZERO);
      a.send(List.of(b.localMember()), bytes("undelayed"));
      await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 6);
      assertThat(System.nanoTime() - start)
          .isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
      assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4", "undelayed");
    } finally {
      async.close();
    }
  }

  @Test
  void bulkStreamToAMemberThatIsKilled_failsTheWriter() throws Exception {
    InMemoryNetwork async = new InMemoryNetwork(Delivery.ASYNC, 2, Duration.ofSeconds(20));
    try {
      ClusterChannel a = async.newChannel("a");
      ClusterChannel b = async.newChannel("b");
      CountDownLatch stuck = new CountDownLatch(1);
      b.setBulkHandler((from, topic, id, seq, chunk, last) -> stuck.await(20, TimeUnit.SECONDS));
      a.connect();
      b.connect();
      List<Throwable> failures = new ArrayList<>();
      Thread writer =
          new Thread(
              () -> {
                try (BulkSender s = a.openBulk(b.localMember(), "t")) {
                  for (int i = 0; i < 100; i++) {
                    s.write(bytes("c" + i));
                  }
                } catch (Throwable t) {
                  failures.add(t);
                }
              });
      writer.start();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> writer.getState() == Thread.State.TIMED_WAITING);
      async.kill("b");
      writer.join(10_000);
      stuck.countDown();
      assertThat(failures)
          .singleElement()
          .isInstanceOf(ChannelException.class)
          .extracting(Throwable::getMessage)
          .asString()
          .contains("left the view");
    } finally {
      async.close();
    }
  }

  @Test
  void handlerExceptions_areCountedAndDoNotStopDelivery() {
    ClusterChannel a = member("a");
    ClusterChannel b = net.newChannel("b");
    List<String> got = new CopyOnWriteArrayList<>();
    b.setMessageHandler(
        (from, p) -> {
          if (text(p).equals("bad")) {
            throw new IllegalStateException("bad");
          }
          got.add(text(p));
        });
    b.connect();
    a.send(List.of(b.localMember()), bytes("bad"));
    a.send(List.of(b.localMember()), bytes("good"));
    assertThat(got).containsExactly("good");
    assertThat(net.handlerFailures()).isEqualTo(1);
  }
}
