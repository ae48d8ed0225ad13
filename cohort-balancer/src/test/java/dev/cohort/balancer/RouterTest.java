package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static List<BackendState> states(String... specs) {
    List<BackendState> list = new ArrayList<>();
    for (String s : specs) {
      list.add(new BackendState(Backend.parse(s), list.size(), 2, 2));
    }
    return list;
  }

  private static List<BackendState> three() {
    return states("n1=http://127.0.0.1:1", "n2=http://127.0.0.1:2", "n3=http://127.0.0.1:3");
  }

  private static Map<String, Integer> spread(Router r, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(r.pick(null, null).backend.route(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void stickySessionGoesToItsRoute_evenWhenDraining() {
    List<BackendState> b = three();
    Router r = new Router(b, Policy.ROUND_ROBIN);
    b.get(1).draining(true);
    for (int i = 0; i < 10; i++) {
      assertThat(r.pick("X" + i + ".n2", null).backend.route()).isEqualTo("n2");
    }
  }

  @Test
  void roundRobinTakesEachHealthyBackendInTurn() {
    List<BackendState> b = three();
    Router r = new Router(b, Policy.ROUND_ROBIN);
    assertThat(spread(r, 300))
        .containsOnly(Map.entry("n1", 100), Map.entry("n2", 100), Map.entry("n3", 100));
    b.get(0).markDown("test");
    assertThat(spread(r, 300)).containsOnly(Map.entry("n2", 150), Map.entry("n3", 150));
  }

  @Test
  void weightedGivesEachBackendItsShare_interleaved() {
    List<BackendState> b =
        states(
            "a=http://127.0.0.1:1;weight=5",
            "b=http://127.0.0.1:2;weight=1",
            "c=http://127.0.0.1:3;weight=1");
    Router r = new Router(b, Policy.WEIGHTED);
    List<String> seq = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      seq.add(r.pick(null, null).backend.route());
    }
    // smooth: a never runs five times in a row
    assertThat(seq).containsExactly("a", "a", "b", "a", "c", "a", "a");
    assertThat(spread(r, 700))
        .containsOnly(Map.entry("a", 500), Map.entry("b", 100), Map.entry("c", 100));
  }

  @Test
  void randomSpreadsRoughlyEvenly() {
    Router r = new Router(three(), Policy.RANDOM);
    Map<String, Integer> counts = spread(r, 30_000);
    assertThat(counts).containsOnlyKeys("n1", "n2", "n3");
    // each share within 10% of a third: fails by chance with probability far below 1e-9
    counts.values().forEach(c -> assertThat(c / 30_000.0).isCloseTo(1 / 3.0, within(0.033)));
  }

  @Test
  void leastConnectionsPicksTheLeastBusyPerWeight() {
    List<BackendState> b =
        states("n1=http://127.0.0.1:1", "n2=http://127.0.0.1:2;weight=2", "n3=http://127.0.0.1:3");
    Router r = new Router(b, Policy.LEAST_CONNECTIONS);
    b.get(0).inFlight.set(3);
    b.get(1).inFlight.set(4); // 2 per unit of weight
    b.get(2).inFlight.set(5);
    assertThat(r.pick(null, null).backend.route()).isEqualTo("n2");
    b.get(1).inFlight.set(8);
    assertThat(r.pick(null, null).backend.route()).isEqualTo("n1");
    // equal load: ties rotate over the backends
    b.forEach(s -> s.inFlight.set(0));
    b.get(1).inFlight.set(0);
    assertThat(spread(r, 30)).containsOnlyKeys("n1", "n2", "n3");
  }

  @Test
  void drainingBackendGetsNoNewClients() {
    List<BackendState> b = three();
    Router r = new Router(b, Policy.ROUND_ROBIN);
    b.get(2).draining(true);
    assertThat(spread(r, 100)).containsOnlyKeys("n1", "n2");
    b.get(0).draining(true);
    b.get(1).draining(true);
    assertThat(r.pick(null, null)).isNull();
  }

  @Test
  void usersOfADownBackendAreSpreadDeterministically_acrossRouterInstances() {
    List<BackendState> a = three();
    List<BackendState> b = three();
    Router ra = new Router(a, Policy.ROUND_ROBIN);
    Router rb = new Router(b, Policy.RANDOM);
    a.get(0).markDown("test");
    b.get(0).markDown("test");
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      String id = Long.toHexString(i * 0x9E3779B97F4A7C15L) + ".n1";
      String viaA = ra.pick(id, null).backend.route();
      assertThat(rb.pick(id, null).backend.route()).isEqualTo(viaA);
      counts.merge(viaA, 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("n2", "n3");
    assertThat(counts.get("n2")).isBetween(400, 600);
  }

  @Test
  void rendezvousMovesOnlyTheUsersOfTheBackendThatLeft() {
    List<BackendState> b =
        states(
            "n1=http://127.0.0.1:1",
            "n2=http://127.0.0.1:2",
            "n3=http://127.0.0.1:3",
            "n4=http://127.0.0.1:4");
    Router r = new Router(b, Policy.ROUND_ROBIN);
    b.get(0).markDown("test");
    Map<String, String> before = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      String id = "S" + i + ".gone";
      before.put(id, r.pick(id, null).backend.route());
    }
    b.get(3).markDown("test");
    for (Map.Entry<String, String> e : before.entrySet()) {
      String now = r.pick(e.getKey(), null).backend.route();
      if (!e.getValue().equals("n4")) {
        assertThat(now).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void triedBackendsAreSkipped() {
    List<BackendState> b = three();
    Router r = new Router(b, Policy.ROUND_ROBIN);
    assertThat(r.pick("A.n1", List.of(b.get(0))).backend.route()).isNotEqualTo("n1");
    assertThat(r.pick(null, List.of(b.get(0), b.get(1))).backend.route()).isEqualTo("n3");
    assertThat(r.pick(null, b)).isNull();
  }

  @Test
  void healthNeedsRiseChecksToComeBack_andFallChecksToGo() {
    BackendState s = three().get(0);
    s.recordCheck(false);
    assertThat(s.up()).isTrue();
    s.recordCheck(false);
    assertThat(s.up()).isFalse();
    s.recordCheck(true);
    assertThat(s.up()).isFalse();
    s.recordCheck(true);
    assertThat(s.up()).isTrue();
    s.markDown("refused");
    assertThat(s.up()).isFalse();
  }
}
