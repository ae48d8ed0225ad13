package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cli.Ports;
import dev.cohort.cli.json.Json;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.Op;
import dev.cohort.core.wire.WireCodec;
import dev.cohort.jgroups.JGroupsChannel;
import dev.cohort.jgroups.JGroupsConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 6: hostile input on the cluster port of real {@code cohort node} processes. Two nodes
 * each time; the node under attack must stay up, stay in its view and keep replicating; what it
 * dropped shows in /cohort/status; nothing is deserialized outside the allow-list.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class HostileInputIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final long SEED = 20261123L;

  /** A serialized PriorityQueue ordering javax.management.ObjectName: not on the allow-list. */
  static byte[] gadget() throws Exception {
    PriorityQueue<ObjectName> q = new PriorityQueue<>(java.util.Comparator.naturalOrder());
    q.add(new ObjectName("cohort:type=Gadget,name=a"));
    q.add(new ObjectName("cohort:type=Gadget,name=b"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(q);
    }
    return bytes.toByteArray();
  }

  private static String cluster() {
    return "faults-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }

  /** Two nodes on adjacent free cluster ports (each with port + 100 free), both in one view. */
  private static NodeProcess[] pair(String run, String cluster, String secret, int... ports)
      throws IOException {
    String members =
        Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).reduce((a, b) -> a + "," + b).get();
    NodeProcess[] n = new NodeProcess[2];
    for (int i = 0; i < 2; i++) {
      n[i] =
          NodeProcess.start(
              run,
              List.of(),
              "n" + (i + 1),
              "127.0.0.1",
              Ports.free(),
              secret,
              "--cluster-port",
              Integer.toString(ports[i]),
              "--port-range",
              "0",
              "--members",
              members,
              "--cluster-name",
              cluster);
    }
    for (NodeProcess p : n) {
      await().atMost(START).until(() -> p.healthy() && p.members() == 2);
    }
    return n;
  }

  /** A request on n1, then on n2 with the same cookie: n2 takes the session over at count 2. */
  private static void assertStillReplicating(NodeProcess a, NodeProcess b) {
    NodeProcess.Answer first = a.get("/counter", null);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    NodeProcess.Answer second = b.get("/counter", first.cookie());
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(Json.num(Json.object(second.body()), "count", -1)).isEqualTo(2);
  }

  private static void writeRaw(int port, byte[] bytes, boolean halfClose) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(bytes);
        out.flush();
        if (halfClose) {
          s.shutdownOutput();
        }
        s.setSoTimeout(2000);
        s.getInputStream().read(new byte[256]); // until the node hangs up, or 2 s
      } catch (IOException e) {
        // the node hung up on us: what it should do
      }
    }
  }

  @Test
  void junkOnTheClusterPortOfASecuredNode_isDropped_andTheNodeStaysUp() throws Exception {
    int port = Ports.freeBlock(2, 100);
    String secret = "hostile-input-test-secret-" + HexFormat.of().toHexDigits(SEED);
    NodeProcess[] n = pair("hostile-raw", cluster(), secret, port, port + 1);
    try {
      Random rnd = new Random(SEED);
      byte[] random = new byte[64 * 1024];
      rnd.nextBytes(random);
      byte[] cookie = {'b', 'e', 'l', 'a'};
      // JGroups' TCP handshake: cookie, version (short), then length-prefixed messages
      byte[] wrongVersion = ByteBuffer.allocate(16).put(cookie).putShort((short) 0x7fff).array();
      byte[] truncated =
          ByteBuffer.allocate(14)
              .put(cookie)
              .putShort((short) 0x0505)
              .putInt(1000)
              .putInt(7)
              .array();
      byte[] oversized =
          ByteBuffer.allocate(10)
              .put(cookie)
              .putShort((short) 0x0505)
              .putInt(Integer.MAX_VALUE)
              .array();
      byte[] gadget = gadget();
      List<byte[]> inputs = List.of(random, wrongVersion, truncated, oversized, gadget);
      for (int round = 0; round < 3; round++) {
        for (byte[] in : inputs) {
          writeRaw(port, in, round % 2 == 1);
        }
      }

      assertThat(n[0].process.isAlive()).as(n[0].log()).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> n[0].healthy() && n[0].members() == 2);
      assertThat(n[1].members()).isEqualTo(2);
      assertStillReplicating(n[0], n[1]);
      assertThat(n[0].log())
          .as("nothing of the junk reached deserialization")
          .doesNotContain("ObjectName")
          .doesNotContain("OutOfMemoryError");
    } finally {
      for (NodeProcess p : n) {
        p.close();
      }
    }
  }

  @Test
  void hostileFramesFromAMember_areDroppedAndCounted_andNothingIsDeserializedOffTheAllowList()
      throws Exception {
    int port = Ports.freeBlock(3, 100);
    String cluster = cluster();
    NodeProcess[] n = pair("hostile-frames", cluster, null, port, port + 1);
    String members =
        "static:127.0.0.1:" + port + ",127.0.0.1:" + (port + 1) + ",127.0.0.1:" + (port + 2);
    JGroupsConfig config =
        JGroupsConfig.defaults("rogue", "127.0.0.1")
            .withClusterName(cluster + "/ROOT")
            .withPort(port + 2)
            .withPortRange(0)
            .withDiscovery(members);
    // 32 upper-case hex characters: the shape of a Tomcat session id, so the node looks it up
    String gadgetSession = "F00DFACE" + HexFormat.of().toHexDigits(SEED).toUpperCase() + "0BADC0DE";
    try {
      long before = n[0].replication("malformedFrames");
      try (JGroupsChannel rogue = new JGroupsChannel(config)) {
        rogue.connect();
        await().atMost(START).until(() -> n[0].members() == 3 && rogue.view().size() == 3);
        var target = List.of(rogue.view().byName("n1").orElseThrow());

        WireCodec codec = new WireCodec(1 << 20, 1 << 20);
        byte[] valid =
            codec.encode(Frame.of(new Op.Touch("S" + SEED, 1, System.currentTimeMillis())));
        byte[] random = new byte[4096];
        new Random(SEED).nextBytes(random);
        random[0] = 99; // not the format version
        byte[] wrongVersion = valid.clone();
        wrongVersion[0] = (byte) (WireCodec.VERSION + 1);
        byte[] truncated = Arrays.copyOf(valid, valid.length - 3);
        // the format version, one op, FULL, then a session id that claims a gigabyte
        byte[] oversized = {
          WireCodec.VERSION, 1, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04
        };
        byte[] rawGadget = gadget(); // 0xACED...: a Java stream instead of a Cohort frame
        for (byte[] hostile : List.of(random, wrongVersion, truncated, oversized, rawGadget)) {
          rogue.send(target, hostile);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> n[0].replication("malformedFrames") >= before + 5);

        // a well-formed record whose attribute value is the gadget: kept as bytes on the replica
        SessionRecord record =
            new SessionRecord(
                gadgetSession,
                1,
                System.currentTimeMillis(),
                System.currentTimeMillis(),
                1800,
                false,
                null,
                null,
                Map.of(),
                Map.of("count", gadget()));
        rogue.send(target, codec.encode(Frame.of(new Op.Full(record, "rogue"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> n[0].total("sessionsReplicated") >= 1);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> n[0].members() == 2);
      // the rogue owner is gone: n1 takes the session over and must not deserialize the gadget
      NodeProcess.Answer a = n[0].get("/counter", "JSESSIONID=" + gadgetSession + ".rogue");
      assertThat(n[0].process.isAlive()).as(n[0].log()).isTrue();
      assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
      assertThat(Json.num(Json.object(a.body()), "count", -1))
          .as("the gadget attribute was dropped, not read")
          .isEqualTo(1);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  n[0].log()
                      .contains(
                          "rejected: class javax.management.ObjectName is not on the"
                              + " deserialization allow-list"));
      assertThat(n[0].replication("malformedFrames")).isGreaterThanOrEqualTo(before + 5);
      assertThat(n[0].healthy()).isTrue();
      assertStillReplicating(n[0], n[1]);
      assertThat(n[0].log()).doesNotContain(gadgetSession);
    } finally {
      for (NodeProcess p : n) {
        p.close();
      }
    }
  }
}
