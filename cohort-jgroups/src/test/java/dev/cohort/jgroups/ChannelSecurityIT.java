package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.DroppedFrames;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.ObjectMessage;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.MPING;
import org.jgroups.protocols.PingHeader;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TCP_NIO2;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.GMS.GmsHeader;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.stack.IpAddress;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.SizeStreamable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an outsider on the network can and cannot do to a cluster with a secret, over real stacks on
 * 127.0.0.1: read frames off the wire, replay them, flip bits, replay a join.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ChannelSecurityIT {
  private static final Duration VIEW = Duration.ofSeconds(30);
  private static final String SECRET = "correct horse battery staple";
  private static final short GMS_ID = ClassConfigurator.getProtocolId(GMS.class);
  private static final short TP_ID = ClassConfigurator.getProtocolId(TP.class);

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static JGroupsConfig secured(Members m, int i, String name) {
    return TestClusters.staticConfig(m.cluster, name, m.ports.get(i), m.ports).withSecret(SECRET);
  }

  private static Consumer<JGroupsChannel> tapInto(FrameTap tap) {
    return ch -> {
      try {
        ch.jchannel()
            .getProtocolStack()
            .insertProtocol(tap, ProtocolStack.Position.ABOVE, TCP_NIO2.class);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  /** Opens frames again with a member's keys (never its replay windows): what they carried. */
  private static List<Message> opened(JGroupsChannel member, List<Message> frames) {
    Sealer opener =
        new Sealer(
            member.sealer().keys(),
            new SealCounters("opener", System::nanoTime),
            System::currentTimeMillis,
            System::nanoTime);
    List<Message> out = new ArrayList<>();
    for (Message f : frames) {
      Message inner = opener.open(f, f.src(), a -> true);
      if (inner != null) {
        out.add(inner);
      }
    }
    return out;
  }

  @Test
  void withASecret_theWireShowsNoHeaderNameOrPayload_heartbeatsAndViewsIncluded() throws Exception {
    try (Members m = new Members("wire", 3)) {
      String[] names = {"alpha-node-7f3e", "bravo-node-9c1d", "charlie-node-4b2a"};
      FrameTap[] taps = {new FrameTap(), new FrameTap(), new FrameTap()};
      JGroupsChannel[] chs = new JGroupsChannel[3];
      for (int i = 0; i < 3; i++) {
        chs[i] = m.start(secured(m, i, names[i]), tapInto(taps[i]));
      }
      Members.awaitViewSize(VIEW, 3, chs);
      AtomicInteger seen = new AtomicInteger();
      String marker = "session-attribute-plaintext-marker";
      chs[1].setMessageHandler(
          (from, p) -> {
            if (new String(p, StandardCharsets.UTF_8).equals(marker)) {
              seen.incrementAndGet();
            }
          });
      chs[0].send(List.of(chs[1].localMember()), bytes(marker));
      chs[0]
          .request(List.of(chs[2].localMember()), bytes(marker), Duration.ofSeconds(10))
          .get(20, TimeUnit.SECONDS);
      await().atMost(VIEW).until(() -> seen.get() == 1);
      int before = taps[0].in.size();
      await().atMost(VIEW).until(() -> taps[0].in.size() > before + 10); // heartbeats go on
      chs[2].close();
      Members.awaitViewSize(VIEW, 2, chs[0], chs[1]);

      List<byte[]> needles = new ArrayList<>();
      for (String n : names) {
        needles.add(bytes(n));
      }
      needles.add(bytes(m.cluster));
      needles.add(bytes(marker));
      int frames = 0;
      Set<Short> sealedHeaders = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        List<Message> all = new ArrayList<>(taps[i].in);
        all.addAll(taps[i].out);
        for (Message f : all) {
          frames++;
          assertThat(f.getHeaders().keySet())
              .as("readable headers on the wire: %s", f.getHeaders())
              .isSubsetOf(TP_ID);
          Message withoutTransportHeader = f.copy(true, false);
          byte[] wire = FrameTap.wireBytes(withoutTransportHeader);
          for (byte[] needle : needles) {
            assertThat(FrameTap.contains(wire, needle))
                .as("'%s' readable on the wire", new String(needle, StandardCharsets.UTF_8))
                .isFalse();
          }
        }
        for (Message inner : opened(chs[Math.min(i, 1)], taps[i].in)) {
          sealedHeaders.addAll(inner.getHeaders().keySet());
        }
      }
      assertThat(frames).isGreaterThan(50);
      // what travelled sealed: views and joins, heartbeats (no payload), retransmission headers
      assertThat(sealedHeaders)
          .contains(
              ClassConfigurator.getProtocolId(GMS.class),
              ClassConfigurator.getProtocolId(FD_ALL3.class),
              ClassConfigurator.getProtocolId(NAKACK2.class),
              ClassConfigurator.getProtocolId(UNICAST3.class),
              ClassConfigurator.getProtocolId(TCPPING.class));
    }
  }

  @Test
  void aCapturedFrameReplayed_orWithOneBitFlippedInItsHeaders_isDroppedAndCounted_notDelivered()
      throws Exception {
    try (Members m = new Members("replay", 2)) {
      JGroupsChannel a = m.start(secured(m, 0, "n1"));
      FrameTap tap = new FrameTap();
      JGroupsChannel b = m.start(secured(m, 1, "n2"), tapInto(tap));
      Members.awaitViewSize(VIEW, 2, a, b);
      settle(a, b);
      tap.in.clear(); // from here on b reads every frame of a's: each one is delivered once
      AtomicInteger seen = new AtomicInteger();
      b.setMessageHandler((from, p) -> seen.incrementAndGet());
      a.send(List.of(b.localMember()), bytes("transfer 100 to mallory"));
      await().atMost(VIEW).until(() -> seen.get() == 1);

      List<Message> frames = tap.inFrom(a.jchannel().address());
      List<byte[]> captured = new ArrayList<>();
      for (Message f : frames) {
        captured.add(FrameTap.wireBytes(f));
      }
      DroppedFrames before = b.droppedFrames();
      FrameTap.replay(b.boundPort(), 1, captured);
      await()
          .atMost(VIEW)
          .until(() -> b.droppedFrames().replayed() >= before.replayed() + captured.size());
      assertThat(seen.get()).isEqualTo(1);
      assertThat(b.droppedFrames().unauthenticated()).isEqualTo(before.unauthenticated());

      Message frame = frames.get(0);
      byte[] sealed = new byte[frame.getLength()];
      System.arraycopy(frame.getArray(), frame.getOffset(), sealed, 0, sealed.length);
      // past the send time and the message type: the sealed message's flags, addresses, headers
      sealed[Sealer.CLEAR + 8 + 2 + 3] ^= 0x10;
      Message flipped = frame.copy(false, true).setArray(sealed);
      FrameTap.replay(b.boundPort(), 1, List.of(FrameTap.wireBytes(flipped)));
      await()
          .atMost(VIEW)
          .until(() -> b.droppedFrames().unauthenticated() == before.unauthenticated() + 1);
      assertThat(seen.get()).isEqualTo(1);
      a.request(List.of(b.localMember()), bytes("still fine"), Duration.ofSeconds(10))
          .get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCapturedJoin_replayedOrResentUnderAnotherId_letsNobodyIn() throws Exception {
    try (Members m = new Members("joinreplay", 3)) {
      FrameTap tap = new FrameTap();
      JGroupsChannel coord = m.start(secured(m, 0, "n1"), tapInto(tap));
      JGroupsChannel b = m.start(secured(m, 1, "n2"));
      Members.awaitViewSize(VIEW, 2, coord, b);
      JGroupsChannel joiner = m.start(secured(m, 2, "n3"));
      Members.awaitViewSize(VIEW, 3, coord, b, joiner);
      Member gone = joiner.localMember();
      Address joinerAddr = joiner.jchannel().address();
      joiner.close();
      Members.awaitViewSize(VIEW, 2, coord, b);

      // everything the joiner sent the coordinator: discovery, challenge, JOIN_REQ and after
      List<byte[]> captured = new ArrayList<>();
      for (Message f : tap.inFrom(joinerAddr)) {
        captured.add(FrameTap.wireBytes(f));
      }
      assertThat(captured).isNotEmpty();
      DroppedFrames before = coord.droppedFrames();
      long views = viewsInstalled(m, coord);
      FrameTap.replay(coord.boundPort(), m.ports.get(2), captured);
      // no view comes and goes: the view count, which only grows, must stay where it is
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> viewsInstalled(m, coord) == views);
      // the frames the coordinator read come back as replays; the few it dropped while it
      // derived the joiner's keys may be read now, once (a late retransmission, no more)
      await().atMost(VIEW).until(() -> coord.droppedFrames().replayed() > before.replayed());

      // the same frames as if the outsider had sent them, under an id of its own: wherever a
      // join request can be read it names the outsider, and a leave request is left out
      Address outsider = org.jgroups.util.UUID.randomUUID();
      List<byte[]> forged = new ArrayList<>();
      for (Message f : tap.inFrom(joinerAddr)) {
        Message copy = f.copy(true, true).setSrc(outsider);
        if (copy.getHeader(GMS_ID) instanceof GmsHeader g && g.getMember() != null) {
          if (g.getType() == GmsHeader.LEAVE_REQ) {
            continue;
          }
          g.mbr(outsider);
        }
        forged.add(FrameTap.wireBytes(copy));
      }
      FrameTap.replay(coord.boundPort(), m.ports.get(2), forged);
      await()
          .atMost(VIEW)
          .until(() -> coord.droppedFrames().malformed() >= before.malformed() + forged.size());
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> viewsInstalled(m, coord) == views);
      assertThat(coord.view().contains(gone)).isFalse();
      assertThat(b.view().size()).isEqualTo(2);
    }
  }

  @Test
  void partitionsThatStartedWithDifferentSalts_mergeIntoOneView() {
    try (Members m = new Members("salts", 3)) {
      List<Integer> ab = m.ports.subList(0, 2);
      List<Integer> c = m.ports.subList(2, 3);
      JGroupsChannel a =
          m.start(TestClusters.staticConfig(m.cluster, "n1", ab.get(0), ab).withSecret(SECRET));
      JGroupsChannel b =
          m.start(TestClusters.staticConfig(m.cluster, "n2", ab.get(1), ab).withSecret(SECRET));
      JGroupsChannel cc =
          m.start(TestClusters.staticConfig(m.cluster, "n3", c.get(0), c).withSecret(SECRET));
      Members.awaitViewSize(VIEW, 2, a, b);
      Members.awaitViewSize(VIEW, 1, cc);
      await().atMost(VIEW).until(() -> salt(a).equals(salt(b)));
      assertThat(salt(cc)).isNotEqualTo(salt(a));

      List<InetSocketAddress> all = new ArrayList<>();
      for (int p : m.ports) {
        all.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
      }
      for (JGroupsChannel ch : List.of(a, b, cc)) {
        ch.jchannel().getProtocolStack().<TCPPING>findProtocol(TCPPING.class).setInitialHosts(all);
      }
      Members.awaitViewSize(Duration.ofSeconds(60), 3, a, b, cc);
      await().atMost(VIEW).until(() -> salt(a).equals(salt(b)) && salt(b).equals(salt(cc)));
      assertThat(m.eventsOf(cc)).anyMatch(e -> e instanceof MembershipEvent.Merged);
      assertThat(a.refusedMembershipRequests() + b.refusedMembershipRequests()).isZero();
    }
  }

  /** Waits until both members seal under one salt and have answered each other. */
  private static void settle(JGroupsChannel a, JGroupsChannel b) throws Exception {
    await().atMost(VIEW).until(() -> salt(a).equals(salt(b)));
    a.request(List.of(b.localMember()), bytes("ping"), Duration.ofSeconds(10))
        .get(20, TimeUnit.SECONDS);
    b.request(List.of(a.localMember()), bytes("ping"), Duration.ofSeconds(10))
        .get(20, TimeUnit.SECONDS);
  }

  private static Salt salt(JGroupsChannel ch) {
    return ch.sealer().keys().current();
  }

  @Test
  void multicastDiscovery_showsNothingReadable_andReplayedOrClearRequestsAreDropped()
      throws Exception {
    Random rnd = new Random();
    String group =
        "228." + (1 + rnd.nextInt(250)) + "." + rnd.nextInt(255) + "." + (1 + rnd.nextInt(250));
    int mport = TestClusters.freeUdpPort();
    InetAddress loopback = InetAddress.getByName(TestClusters.LOOPBACK);
    InetSocketAddress groupAddr = new InetSocketAddress(InetAddress.getByName(group), mport);
    List<byte[]> datagrams = new CopyOnWriteArrayList<>();
    try (Members m = new Members("mcastsealed", 2);
        MulticastSocket listener = new MulticastSocket(mport)) {
      listener.joinGroup(groupAddr, NetworkInterface.getByInetAddress(loopback));
      listener.setSoTimeout(100);
      AtomicBoolean listening = new AtomicBoolean(true);
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[65535];
                while (listening.get()) {
                  DatagramPacket p = new DatagramPacket(buf, buf.length);
                  try {
                    listener.receive(p);
                    datagrams.add(Arrays.copyOfRange(p.getData(), p.getOffset(), p.getLength()));
                  } catch (IOException e) {
                    // timeout: look at the flag again
                  }
                }
              },
              "mcast-listener");
      t.start();
      String[] names = {"alpha-node-7f3e", "bravo-node-9c1d"};
      JGroupsChannel[] chs = new JGroupsChannel[2];
      for (int i = 0; i < 2; i++) {
        chs[i] = m.start(secured(m, i, names[i]).withDiscovery("multicast:" + group + ":" + mport));
      }
      Members.awaitViewSize(VIEW, 2, chs);
      await().atMost(VIEW).until(() -> !datagrams.isEmpty());
      listening.set(false);
      t.join(5000);
      for (byte[] d : datagrams) {
        for (String needle : List.of(names[0], names[1], m.cluster)) {
          assertThat(FrameTap.contains(d, bytes(needle)))
              .as("'%s' readable in a datagram", needle)
              .isFalse();
        }
      }

      DroppedFrames[] before = {chs[0].droppedFrames(), chs[1].droppedFrames()};
      try (DatagramSocket out = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
        for (byte[] d : datagrams) { // a captured request, multicast again
          out.send(new DatagramPacket(d, d.length, groupAddr));
        }
        // a discovery request as stock JGroups would multicast it: in the clear
        Message clear =
            new BytesMessage(null)
                .setSrc(org.jgroups.util.UUID.randomUUID())
                .putHeader(
                    ClassConfigurator.getProtocolId(MPING.class),
                    new PingHeader(PingHeader.GET_MBRS_REQ).clusterName(m.cluster));
        ByteArrayDataOutputStream o = new ByteArrayDataOutputStream(256);
        clear.writeTo(o);
        out.send(new DatagramPacket(o.buffer(), o.position(), groupAddr));
      }
      await()
          .atMost(VIEW)
          .until(
              () ->
                  chs[0].droppedFrames().replayed() + chs[1].droppedFrames().replayed()
                          > before[0].replayed() + before[1].replayed()
                      && chs[0].droppedFrames().unauthenticated() > before[0].unauthenticated()
                      && chs[1].droppedFrames().unauthenticated() > before[1].unauthenticated());
      assertThat(chs[0].view().size()).isEqualTo(2);
    }
  }

  @Test
  void anOutsiderOnTheCrashDetectionPort_learnsTheClusterName_butCannotGetAMemberSuspected()
      throws Exception {
    try (Members m = new Members("fdsock", 3)) {
      JGroupsChannel[] chs = new JGroupsChannel[3];
      for (int i = 0; i < 3; i++) {
        chs[i] = m.start(secured(m, i, "n" + (i + 1)));
      }
      Members.awaitViewSize(VIEW, 3, chs);
      int offset = StackBuilder.fdSockOffset(chs[0].config());
      short fdId = ClassConfigurator.getProtocolId(FD_SOCK2.class);

      // what it learns: ask a member's crash-detection server who it is
      byte[] answer;
      try (Socket s = new Socket(TestClusters.LOOPBACK, chs[1].boundPort() + offset)) {
        s.setSoTimeout(2000);
        DataOutputStream o = new DataOutputStream(s.getOutputStream());
        FrameTap.introduce(o, new IpAddress(TestClusters.LOOPBACK, 1));
        Message connect =
            new EmptyMessage()
                .setSrc(org.jgroups.util.UUID.randomUUID())
                .putHeader(fdId, new FD_SOCK2.FdHeader(FD_SOCK2.FdHeader.CONNECT));
        org.jgroups.util.ByteArray req = FD_SOCK2.messageToBuffer(connect);
        o.writeInt(req.length());
        o.write(req.array(), req.offset(), req.length());
        o.flush();
        answer = readFor(s, Duration.ofSeconds(2));
      }
      assertThat(FrameTap.contains(answer, bytes(m.cluster))).isTrue();

      // what it cannot do: pose as each member's monitored neighbour and hang up
      for (int i = 0; i < 3; i++) {
        int neighbourFd = chs[(i + 1) % 3].boundPort() + offset;
        try (Socket s = new Socket(TestClusters.LOOPBACK, chs[i].boundPort() + offset)) {
          FrameTap.introduce(
              new DataOutputStream(s.getOutputStream()),
              new IpAddress(TestClusters.LOOPBACK, neighbourFd));
        }
      }
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(() -> Arrays.stream(chs).allMatch(c -> c.view().size() == 3));
      for (JGroupsChannel c : chs) {
        assertThat(m.eventsOf(c)).noneMatch(e -> e instanceof MembershipEvent.Suspected);
      }
    }
  }

  private static byte[] readFor(Socket s, Duration d) throws IOException {
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    long end = System.nanoTime() + d.toNanos();
    byte[] buf = new byte[4096];
    while (System.nanoTime() < end) {
      try {
        int n = s.getInputStream().read(buf);
        if (n < 0) {
          break;
        }
        got.write(buf, 0, n);
      } catch (java.net.SocketTimeoutException e) {
        break;
      }
    }
    return got.toByteArray();
  }

  /** Counts its instances: a class that no frame from the network may get instantiated. */
  public static final class Canary implements SizeStreamable {
    static final AtomicInteger MADE = new AtomicInteger();

    public Canary() {
      MADE.incrementAndGet();
    }

    @Override
    public int serializedSize() {
      return 0;
    }

    @Override
    public void writeTo(DataOutput out) {}

    @Override
    public void readFrom(DataInput in) {}
  }

  @Test
  void framesNoMemberSends_areDroppedUnparsed_noClassInstantiated_noHugeBufferAllocated()
      throws Exception {
    try (Members m = new Members("preparse", 2)) {
      JGroupsChannel a = m.start(secured(m, 0, "n1"));
      JGroupsChannel b = m.start(secured(m, 1, "n2"));
      Members.awaitViewSize(VIEW, 2, a, b);
      Address target = a.jchannel().address();
      // JGroups' ObjectMessage names the class of its payload; the receiver would create one
      ObjectMessage named = new ObjectMessage(target, new Canary());
      named.setSrc(org.jgroups.util.UUID.randomUUID());
      int made = Canary.MADE.get();
      // a BytesMessage whose length field claims 1.5 GB in a frame of a few bytes
      byte[] payload = {0, 0, 0, 3, 'a', 'b', 'c'}; // length field and payload, as written
      byte[] huge =
          FrameTap.wireBytes(new BytesMessage(target, new byte[] {'a', 'b', 'c'}).setSrc(target));
      int at = FrameTap.indexOf(huge, payload);
      assertThat(at).isPositive();
      ByteBuffer.wrap(huge, at, 4).putInt(1_500_000_000);
      DroppedFrames before = a.droppedFrames();
      FrameTap.replay(a.boundPort(), 1, List.of(FrameTap.wireBytes(named), huge));
      await()
          .atMost(VIEW)
          .until(
              () ->
                  a.droppedFrames().unauthenticated() > before.unauthenticated()
                      && a.droppedFrames().malformed() > before.malformed());
      assertThat(Canary.MADE.get()).isEqualTo(made);
      a.request(List.of(b.localMember()), bytes("still fine"), Duration.ofSeconds(10))
          .get(20, TimeUnit.SECONDS);
    }
  }

  private static long viewsInstalled(Members m, JGroupsChannel ch) {
    return m.eventsOf(ch).stream().filter(e -> e instanceof MembershipEvent.ViewInstalled).count();
  }
}
