package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestTimeoutException;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jgroups.BytesMessage;
import org.jgroups.protocols.TCP_NIO2;
import org.jgroups.stack.IpAddress;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The "must show" list, over real stacks on 127.0.0.1. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JGroupsChannelFaultsIT {
  private static final Duration VIEW = Duration.ofSeconds(30);
  private static final String SECRET = "correct horse battery staple";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Replies ask(JGroupsChannel from, JGroupsChannel to) throws Exception {
    return from.request(List.of(to.localMember()), bytes("ping"), Duration.ofSeconds(10))
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void threeMembers_formOneView_withStaticDiscovery() {
    try (Members m = new Members("static", 3)) {
      JGroupsChannel a = m.start(0);
      JGroupsChannel b = m.start(1);
      JGroupsChannel c = m.start(2);
      Members.awaitViewSize(VIEW, 3, a, b, c);
      assertThat(b.view()).isEqualTo(a.view());
      assertThat(c.view()).isEqualTo(a.view());
      assertThat(a.view().members()).extracting(Member::name).containsExactly("n1", "n2", "n3");
      assertThat(a.localMember().id()).matches("[0-9a-f-]{36}");
    }
  }

  // `cohort demo` runs its nodes on 7801, 7802, 7803 with no port range; FD_SOCK2 once listened
  // one port up and took the next member's transport port, so the second node could not start
  @Test
  void threeMembers_onAdjacentPorts_withNoPortRange_allJoin() {
    int first = TestClusters.freePortBlock(3);
    List<Integer> ports = List.of(first, first + 1, first + 2);
    try (Members m = new Members("adjacent", 3)) {
      JGroupsChannel[] chs = new JGroupsChannel[3];
      for (int i = 0; i < 3; i++) {
        chs[i] = m.start(TestClusters.staticConfig(m.cluster, "n" + (i + 1), ports.get(i), ports));
      }
      Members.awaitViewSize(VIEW, 3, chs);
      assertThat(chs[0].view().members())
          .extracting(Member::name)
          .containsExactly("n1", "n2", "n3");
      assertThat(chs[2].view()).isEqualTo(chs[0].view());
    }
  }

  @Test
  void threeMembers_formOneView_withMulticastDiscovery() {
    Random rnd = new Random();
    String group =
        "228." + (1 + rnd.nextInt(250)) + "." + rnd.nextInt(255) + "." + (1 + rnd.nextInt(250));
    int mport = TestClusters.freeUdpPort();
    try (Members m = new Members("mcast", 3)) {
      JGroupsChannel[] chs = new JGroupsChannel[3];
      for (int i = 0; i < 3; i++) {
        chs[i] =
            m.start(
                TestClusters.staticConfig(m.cluster, "n" + (i + 1), m.ports.get(i), m.ports)
                    .withDiscovery("multicast:" + group + ":" + mport));
      }
      Members.awaitViewSize(VIEW, 3, chs);
      assertThat(chs[1].view()).isEqualTo(chs[0].view());
      assertThat(chs[2].view()).isEqualTo(chs[0].view());
    }
  }

  @Test
  void threeMembers_formOneView_withDnsDiscovery_probingThePortRange() {
    // dns:localhost resolves (A record, /etc/hosts) to 127.0.0.1; each member takes the next free
    // port of port..port+2 and DNS_PING probes the whole range, as pods behind a headless service
    int base = TestClusters.freePortBlock(12);
    try (Members m = new Members("dns", 0)) {
      JGroupsChannel[] chs = new JGroupsChannel[3];
      for (int i = 0; i < 3; i++) {
        chs[i] =
            m.start(
                TestClusters.staticConfig(m.cluster, "n" + (i + 1), base, List.of(base))
                    .withPortRange(2)
                    .withDiscovery("dns:localhost"));
      }
      Members.awaitViewSize(VIEW, 3, chs);
      assertThat(chs[2].view()).isEqualTo(chs[0].view());
      assertThat(chs[2].boundPort()).isBetween(base, base + 2);
    }
  }

  @Test
  void memberInSeparateJvm_killedWithSigkill_leavesTheView() throws Exception {
    try (Members m = new Members("sigkill", 3)) {
      JGroupsChannel a = m.start(0);
      JGroupsChannel b = m.start(1);
      String ports = m.ports.stream().map(String::valueOf).collect(Collectors.joining(","));
      ProcessBuilder pb =
          new ProcessBuilder(
                  System.getProperty("java.home")
                      + File.separator
                      + "bin"
                      + File.separator
                      + "java",
                  "-Xmx256m",
                  "-Djava.net.preferIPv4Stack=true",
                  "-cp",
                  System.getProperty("java.class.path"),
                  ChildMember.class.getName(),
                  m.cluster,
                  "n3",
                  String.valueOf(m.ports.get(2)),
                  ports)
              .redirectErrorStream(true)
              .redirectOutput(File.createTempFile("cohort-child-", ".log"));
      Process child = pb.start();
      try {
        Members.awaitViewSize(Duration.ofSeconds(60), 3, a, b);
        Member n3 = a.view().byName("n3").orElseThrow();
        assertThat(ask(a, b).replies()).hasSize(1);
        assertThat(
                a.request(List.of(n3), bytes("hi"), Duration.ofSeconds(10))
                    .get(20, TimeUnit.SECONDS)
                    .replies())
            .containsKey(n3);
        long t0 = System.nanoTime();
        child.destroyForcibly();
        Members.awaitViewSize(VIEW, 2, a, b);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("SIGKILL detection: member left the view after " + ms + " ms");
        assertThat(a.view().contains(n3)).isFalse();
        await()
            .atMost(VIEW)
            .until(() -> m.eventsOf(a).contains(new MembershipEvent.Left(n3, a.view())));
      } finally {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void gracefulLeave_isSeenAtOnce_withoutSuspicion() {
    try (Members m = new Members("leave", 3)) {
      JGroupsChannel a = m.start(0);
      JGroupsChannel b = m.start(1);
      JGroupsChannel c = m.start(2);
      Members.awaitViewSize(VIEW, 3, a, b, c);
      Member gone = c.localMember();
      AtomicLong seenAt = new AtomicLong();
      a.addMembershipListener(
          e -> {
            if (e instanceof MembershipEvent.Left l && l.member().equals(gone)) {
              seenAt.set(System.nanoTime());
            }
          });
      long t0 = System.nanoTime();
      c.close();
      Members.awaitViewSize(VIEW, 2, a, b);
      await().atMost(VIEW).until(() -> seenAt.get() != 0);
      System.out.println(
          "graceful leave: Left seen "
              + TimeUnit.NANOSECONDS.toMillis(seenAt.get() - t0)
              + " ms after close()");
      assertThat(m.eventsOf(a)).doesNotContain(new MembershipEvent.Suspected(gone));
    }
  }

  /**
   * A member whose old incarnation left and whose new one binds the same address must get back in
   * even when another member kept a connection registered for that address that nobody reads — a
   * socket that escaped the old incarnation's shutdown (a farm redeploy restarts a context's
   * channel in the same JVM on the same port). JGroups keeps an existing connection over a new one
   * from the same address when its own address sorts higher, so without help the new member is
   * turned away for good (CI: FarmIT, a redeployed context alone in its session cluster for 30 s).
   */
  @Test
  void memberBackOnItsAddress_joinsAgain_whenAnotherMemberHeldAStaleConnectionToIt()
      throws Exception {
    try (Members m = new Members("stale", 2)) {
      // the survivor's port above the returning member's: it is the one that keeps its old socket
      List<Integer> ports = m.ports.stream().sorted(Comparator.reverseOrder()).toList();
      int high = ports.get(0);
      int low = ports.get(1);
      JGroupsChannel a = m.start(TestClusters.staticConfig(m.cluster, "n1", high, ports));
      JGroupsChannel b = m.start(TestClusters.staticConfig(m.cluster, "n2", low, ports));
      Members.awaitViewSize(VIEW, 2, a, b);
      b.close();
      Members.awaitViewSize(VIEW, 1, a);

      try (Socket stale = new Socket(TestClusters.LOOPBACK, high)) {
        FrameTap.introduce(
            new DataOutputStream(stale.getOutputStream()),
            new IpAddress(TestClusters.LOOPBACK, low));
        TCP_NIO2 tcp = (TCP_NIO2) a.jchannel().getProtocolStack().getTransport();
        // registered — and found where the sweep reads the connection table
        IpAddress claimed = new IpAddress(TestClusters.LOOPBACK, low);
        await().atMost(VIEW).until(() -> StaleConnections.connections(tcp).contains(claimed));
        JGroupsChannel back = m.start(TestClusters.staticConfig(m.cluster, "n2", low, ports));
        Members.awaitViewSize(VIEW, 2, a, back);
      }
    }
  }

  @Test
  void requestToAMemberThatStopsAnswering_failsNamingIt() throws Exception {
    try (Members m = new Members("silent", 3)) {
      JGroupsChannel a = m.start(0);
      JGroupsChannel b = m.start(1);
      JGroupsChannel c = m.start(2);
      Members.awaitViewSize(VIEW, 3, a, b, c);
      c.discardFromForTest(List.of(a.localMember())); // c no longer hears a
      CompletableFuture<Replies> f =
          a.request(List.of(b.localMember(), c.localMember()), bytes("x"), Duration.ofMillis(800));
      Throwable t = null;
      try {
        f.get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        t = e.getCause();
      }
      assertThat(t).isInstanceOf(RequestTimeoutException.class);
      RequestTimeoutException rte = (RequestTimeoutException) t;
      assertThat(rte.missing()).containsExactly(c.localMember());
      assertThat(rte.answered()).containsExactly(b.localMember());
      assertThat(rte.getMessage()).contains("n3");
      c.discardFromForTest(List.of());
    }
  }

  @Test
  void memberWithWrongSecret_doesNotJoin() throws Exception {
    try (Members m = new Members("wrongsecret", 3)) {
      JGroupsChannel a = m.start(config(m, 0).withSecret(SECRET));
      JGroupsChannel b = m.start(config(m, 1).withSecret(SECRET));
      Members.awaitViewSize(VIEW, 2, a, b);
      assertThat(ask(a, b).replies()).hasSize(1);
      JGroupsChannel intruder = m.start(config(m, 2).withSecret("not the right secret at all"));
      assertThat(intruder.view().members()).containsExactly(intruder.localMember());
      // it keeps trying to merge; the secured members must never take it in
      b.request(List.of(a.localMember()), bytes("still fine"), Duration.ofSeconds(10))
          .get(20, TimeUnit.SECONDS);
      assertThat(a.view().size()).isEqualTo(2);
      assertThat(b.view().size()).isEqualTo(2);
      assertThat(intruder.view().size()).isEqualTo(1);
    }
  }

  @Test
  void memberWithoutSecret_cannotJoin_andTheWireCarriesOnlyCiphertext() throws Exception {
    try (Members m = new Members("nosecret", 3)) {
      JGroupsChannel a = m.start(config(m, 0).withSecret(SECRET));
      JGroupsChannel b = m.start(config(m, 1).withSecret(SECRET));
      Members.awaitViewSize(VIEW, 2, a, b);
      WireTap tap = new WireTap();
      ProtocolStack stack = b.jchannel().getProtocolStack();
      stack.insertProtocol(tap, ProtocolStack.Position.ABOVE, TCP_NIO2.class);

      AtomicInteger seen = new AtomicInteger();
      String marker = "session-attribute-plaintext-marker";
      b.setMessageHandler(
          (from, p) -> {
            if (new String(p, StandardCharsets.UTF_8).equals(marker)) {
              seen.incrementAndGet();
            }
          });
      a.send(List.of(b.localMember()), bytes(marker));
      await().atMost(VIEW).until(() -> seen.get() == 1);
      byte[] needle = bytes(marker);
      assertThat(tap.payloads).isNotEmpty();
      for (byte[] raw : tap.payloads) {
        assertThat(FrameTap.contains(raw, needle)).as("plaintext on the wire").isFalse();
      }

      JGroupsChannel plain = m.start(config(m, 2));
      AtomicInteger plainGot = new AtomicInteger();
      plain.setMessageHandler((from, p) -> plainGot.incrementAndGet());
      // even handed the secured cluster's raw frames, the plain member gets nothing readable
      for (byte[] raw : tap.payloads) {
        plain
            .jchannel()
            .getProtocolStack()
            .getTransport()
            .up(new BytesMessage(null, raw).setSrc(a.jchannel().address()));
      }
      a.send(List.of(b.localMember()), bytes(marker));
      await().atMost(VIEW).until(() -> seen.get() == 2);
      assertThat(plain.view().members()).containsExactly(plain.localMember());
      assertThat(a.view().size()).isEqualTo(2);
      assertThat(plainGot.get()).isZero();
    }
  }

  @Test
  void garbageOnTheClusterPort_doesNotCrashTheMember() throws Exception {
    try (Members m = new Members("garbage", 2)) {
      JGroupsChannel a = m.start(0);
      JGroupsChannel b = m.start(1);
      Members.awaitViewSize(VIEW, 2, a, b);
      Random rnd = new Random(42);
      for (int round = 0; round < 5; round++) {
        byte[] junk = new byte[64 * 1024];
        rnd.nextBytes(junk);
        if (round % 2 == 1) { // a valid JGroups cookie first, so the parser goes further
          junk[0] = 'b';
          junk[1] = 'e';
          junk[2] = 'l';
          junk[3] = 'a';
        }
        writeRaw(b.boundPort(), junk);
      }
      assertThat(ask(a, b).replies()).hasSize(1);
      assertThat(ask(b, a).replies()).hasSize(1);
      assertThat(a.view().size()).isEqualTo(2);
    }
  }

  @Test
  void malformedAndOversizedFrames_areDroppedAndCounted_andServiceGoesOn() throws Exception {
    try (Members m = new Members("malformed", 2)) {
      JGroupsChannel a = m.start(config(m, 0).withMaxFrameBytes(1 << 20));
      JGroupsChannel b = m.start(config(m, 1).withMaxFrameBytes(8192));
      Members.awaitViewSize(VIEW, 2, a, b);
      org.jgroups.Address bAddr = b.jchannel().address();
      a.jchannel().send(new BytesMessage(bAddr, new byte[] {42, 1, 2, 3}));
      a.jchannel().send(new BytesMessage(bAddr, new byte[] {1, 2, 0}));
      a.send(List.of(b.localMember()), new byte[100_000]); // a allows it, b does not
      await().atMost(VIEW).until(() -> b.malformedFrames() == 3);
      assertThat(ask(a, b).replies()).hasSize(1);
    }
  }

  @Test
  void partitionWithDiscard_splitsTheView_andHealingMerges() {
    try (Members m = new Members("partition", 3)) {
      JGroupsChannel a = m.start(0);
      JGroupsChannel b = m.start(1);
      JGroupsChannel c = m.start(2);
      Members.awaitViewSize(VIEW, 3, a, b, c);
      a.discardFromForTest(List.of(c.localMember()));
      b.discardFromForTest(List.of(c.localMember()));
      c.discardFromForTest(List.of(a.localMember(), b.localMember()));
      Members.awaitViewSize(VIEW, 2, a, b);
      Members.awaitViewSize(VIEW, 1, c);
      assertThat(m.eventsOf(a))
          .contains(new MembershipEvent.Suspected(c.localMember()))
          .contains(new MembershipEvent.Left(c.localMember(), a.view()));

      for (JGroupsChannel ch : List.of(a, b, c)) {
        ch.discardFromForTest(List.of());
      }
      Members.awaitViewSize(Duration.ofSeconds(60), 3, a, b, c);
      await()
          .atMost(VIEW)
          .until(
              () ->
                  m.eventsOf(c).stream()
                      .anyMatch(
                          e ->
                              e instanceof MembershipEvent.Merged mg
                                  && mg.subgroups().size() == 2
                                  && mg.view().size() == 3));
      MembershipEvent.Merged merged =
          (MembershipEvent.Merged)
              m.eventsOf(a).stream()
                  .filter(e -> e instanceof MembershipEvent.Merged)
                  .reduce((x, y) -> y)
                  .orElseThrow();
      assertThat(merged.subgroups())
          .extracting(v -> Set.copyOf(v.members()))
          .containsExactlyInAnyOrder(
              Set.of(a.localMember(), b.localMember()), Set.of(c.localMember()));
    }
  }

  private static JGroupsConfig config(Members m, int i) {
    return TestClusters.staticConfig(m.cluster, "n" + (i + 1), m.ports.get(i), m.ports);
  }

  private static void writeRaw(int port, byte[] junk) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(TestClusters.LOOPBACK, port), 5000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(junk);
        out.flush();
      } catch (IOException e) {
        // the member hung up on us: exactly what it should do
      }
    }
  }
}
