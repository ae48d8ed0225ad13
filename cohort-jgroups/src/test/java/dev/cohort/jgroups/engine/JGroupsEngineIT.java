package dev.cohort.jgroups.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.Member;
import dev.cohort.core.engine.EngineConfig;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.store.SessionStore;
import dev.cohort.jgroups.JGroupsChannel;
import dev.cohort.jgroups.JGroupsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine over real JGroups on 127.0.0.1, several members in one JVM. A "kill" isolates a member
 * completely (every other member discards it and it discards them), which the others see exactly as
 * a crash: suspicion, then a view without it.
 */
@Timeout(120)
class JGroupsEngineIT {
  static final String LOOPBACK = "127.0.0.1";
  final String cluster =
      "cohort-test-engine-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  final Map<String, JGroupsChannel> channels = new LinkedHashMap<>();
  final Map<String, SessionEngine> engines = new LinkedHashMap<>();
  List<Integer> ports;

  @AfterEach
  void tearDown() {
    for (SessionEngine e : engines.values()) {
      try {
        e.close();
      } catch (RuntimeException ignored) {
        // closing everything
      }
    }
  }

  void startAll(EngineConfig config, int n) {
    ports = freePorts(n);
    String members = ports.stream().map(p -> LOOPBACK + ":" + p).collect(Collectors.joining(","));
    for (int i = 0; i < n; i++) {
      String name = "n" + (i + 1);
      JGroupsConfig jc =
          JGroupsConfig.defaults(name, LOOPBACK)
              .withClusterName(cluster)
              .withPort(ports.get(i))
              .withPortRange(0)
              .withDiscovery("static:" + members)
              .withHeartbeat(Duration.ofMillis(300))
              .withDropTime(Duration.ofMillis(3000));
      JGroupsChannel ch = new JGroupsChannel(jc);
      channels.put(name, ch);
      SessionEngine e =
          SessionEngines.create(
              config, ch, SessionStore.NONE, SessionEvents.NONE, Clock.systemUTC());
      e.start();
      engines.put(name, e);
    }
    awaitViewSize(n, engines.keySet());
  }

  void awaitViewSize(int n, Set<String> names) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> names.stream().allMatch(m -> engines.get(m).view().size() == n));
  }

  /** Cuts {@code victims} off from everybody at once; returns the survivors. */
  Set<String> kill(String... victims) {
    Set<String> dead = Set.of(victims);
    List<Member> deadMembers = new ArrayList<>();
    List<Member> liveMembers = new ArrayList<>();
    channels.forEach(
        (n, ch) -> (dead.contains(n) ? deadMembers : liveMembers).add(ch.localMember()));
    channels.forEach(
        (n, ch) -> {
          if (dead.contains(n)) {
            List<Member> all = new ArrayList<>(liveMembers);
            all.addAll(deadMembers);
            all.remove(ch.localMember());
            ch.discardFromForTest(all);
          } else {
            ch.discardFromForTest(deadMembers);
          }
        });
    Set<String> live = new HashSet<>(engines.keySet());
    live.removeAll(dead);
    return live;
  }

  static byte[] intBytes(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  static int intOf(byte[] b) {
    return ByteBuffer.wrap(b).getInt();
  }

  static SessionUpdate update(String id, boolean created, int count) {
    long now = System.currentTimeMillis();
    return new SessionUpdate(
        id,
        created,
        now,
        now,
        1800,
        false,
        null,
        null,
        Map.of("count", intBytes(count)),
        Set.of(),
        Map.of());
  }

  /** The record of {@code id} on its single owner among {@code live}. */
  SessionRecord ownedRecord(String id, Set<String> live) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> live.stream().filter(n -> engines.get(n).owns(id)).count() == 1);
    String owner = live.stream().filter(n -> engines.get(n).owns(id)).findFirst().orElseThrow();
    Optional<SessionRecord> r = engines.get(owner).acquire(id);
    assertThat(r).as("session on its owner %s", owner).isPresent();
    return r.get();
  }

  @Test
  void ownerKilledMidStream_everyAcknowledgedChangeSurvivesOnTheNewOwner() throws Exception {
    startAll(EngineConfig.defaults(), 3);
    SessionEngine n1 = engines.get("n1");
    Map<String, Integer> acked = new ConcurrentHashMap<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String id = "it-" + i;
      ids.add(id);
      n1.commit(update(id, true, 0)).get(10, TimeUnit.SECONDS);
      acked.put(id, 0);
    }
    Thread writer =
        new Thread(
            () -> {
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
              for (int round = 1; round <= 100_000 && System.nanoTime() < end; round++) {
                for (String id : ids) {
                  try {
                    n1.commit(update(id, false, round)).get(10, TimeUnit.SECONDS);
                    acked.put(id, round);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  } catch (Exception e) {
                    return; // cut off: this change was not acknowledged
                  }
                }
              }
            },
            "it-writer");
    writer.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> acked.get("it-19") >= 20);
    // acknowledged while the holders could still hear n1: these must survive. Later commits on
    // the cut-off n1 complete too, once its view no longer has holders (it keeps serving alone).
    Map<String, Integer> ackedBeforeKill = Map.copyOf(acked);
    Set<String> live = kill("n1");
    writer.join(30_000);
    assertThat(writer.isAlive()).isFalse();
    awaitViewSize(2, live);
    int total = 0;
    for (String id : ids) {
      int value = intOf(ownedRecord(id, live).attributes().get("count"));
      assertThat(value).as("session %s", id).isGreaterThanOrEqualTo(ackedBeforeKill.get(id));
      total += ackedBeforeKill.get(id);
    }
    assertThat(total).isPositive();
  }

  @Test
  void twoMembersKilledAtOnce_withTwoBackups_loseNothing() throws Exception {
    startAll(EngineConfig.defaults().withBackups(2), 5);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = "k2-" + i;
      ids.add(id);
      SessionEngine owner = engines.get("n" + (1 + i % 5));
      owner.commit(update(id, true, 1)).get(10, TimeUnit.SECONDS);
      owner.commit(update(id, false, 2 + i)).get(10, TimeUnit.SECONDS);
    }
    Set<String> live = kill("n1", "n2");
    awaitViewSize(3, live);
    for (int i = 0; i < ids.size(); i++) {
      SessionRecord r = ownedRecord(ids.get(i), live);
      assertThat(intOf(r.attributes().get("count"))).as("session %s", ids.get(i)).isEqualTo(2 + i);
    }
  }

  @Test
  void rejoinAfterPartition_neverRollsASessionBack() throws Exception {
    startAll(EngineConfig.defaults(), 3);
    SessionEngine n1 = engines.get("n1");
    n1.commit(update("p", true, 1)).get(10, TimeUnit.SECONDS);
    Set<String> majority = kill("n1");
    awaitViewSize(2, majority);
    SessionRecord onMajority = ownedRecord("p", majority);
    String caretaker =
        majority.stream().filter(n -> engines.get(n).owns("p")).findFirst().orElseThrow();
    for (int v = 10; v < 15; v++) {
      engines.get(caretaker).commit(update("p", false, v)).get(10, TimeUnit.SECONDS);
    }
    long newest = engines.get(caretaker).acquire("p").orElseThrow().version();
    assertThat(newest).isGreaterThan(onMajority.version());
    // heal: n1 comes back with its old copy (version 1) and still thinks it owns the session
    for (JGroupsChannel ch : channels.values()) {
      ch.discardFromForTest(List.of());
    }
    awaitViewSize(3, engines.keySet());
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !n1.owns("p"));
    SessionRecord after = ownedRecord("p", engines.keySet());
    assertThat(after.version()).isGreaterThanOrEqualTo(newest);
    assertThat(intOf(after.attributes().get("count"))).isEqualTo(14);
  }

  static List<Integer> freePorts(int n) {
    Set<Integer> taken = new HashSet<>();
    List<Integer> out = new ArrayList<>();
    while (out.size() < n) {
      int p = ephemeral();
      if (p < 65534 && taken.add(p) && !taken.contains(p + 1) && isFree(p + 1)) {
        taken.add(p + 1);
        out.add(p);
      }
    }
    return out;
  }

  private static int ephemeral() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + LOOPBACK + ": " + e, e);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
