package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.store.SessionStore;
import dev.cohort.testkit.InMemoryNetwork;
import dev.cohort.tomcat.testapp.CounterServlet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request still running on a node while its session moves: the adapter on the real engine, two
 * embedded Tomcats over the in-memory network. The request changes the count and then waits ({@code
 * /hold}) while other requests move the session; what it answers must match where its change went.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TakeoverRaceIT {
  private final InMemoryNetwork net = new InMemoryNetwork();
  private final List<EmbeddedNode> nodes = new ArrayList<>();
  private EmbeddedNode n1;
  private EmbeddedNode n2;

  private EmbeddedNode start(String name) {
    EmbeddedNode n =
        EmbeddedNode.start(
            name,
            c -> {
              c.setSyncTimeout(3000);
              c.setDrainTimeout(2000);
              c.setEngineFactory(
                  (cfg, events) ->
                      SessionEngines.create(
                          cfg.engine(),
                          net.newChannel(cfg.nodeName()),
                          SessionStore.NONE,
                          events,
                          Clock.systemUTC()));
            });
    nodes.add(n);
    return n;
  }

  @BeforeEach
  void startTwo() {
    CounterServlet.gate = new CountDownLatch(1);
    CounterServlet.HELD.drainPermits();
    n1 = start("n1");
    n2 = start("n2");
    await().until(() -> n1.manager().engine().view().size() == 2);
  }

  @AfterEach
  void stopAll() {
    CounterServlet.gate.countDown();
    for (EmbeddedNode n : nodes) {
      n.close();
    }
    net.close();
  }

  /** Starts {@code /hold} on {@code n} and returns once it changed the count and waits. */
  private CompletableFuture<Http.Reply> hold(EmbeddedNode n, String id) throws Exception {
    CompletableFuture<Http.Reply> r =
        CompletableFuture.supplyAsync(() -> Http.get(n.port(), "/hold", id));
    assertThat(CounterServlet.HELD.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
    return r;
  }

  private static int peek(EmbeddedNode n, String id) {
    Http.Reply r = Http.get(n.port(), "/peek", id);
    assertThat(r.status()).isEqualTo(200);
    return r.count();
  }

  // the node dropped the object when the session moved, and a request still using it was answered
  // 200 with its change replicated nowhere: the other node's 200 showed the same count
  @Test
  void changeOfARequestWhoseSessionMovedAway_isAnswered503_andAppliedNowhere() throws Exception {
    String id = Http.get(n1.port(), "/atomic", null).setCookieId();
    CompletableFuture<Http.Reply> held = hold(n1, id); // count 2, not committed yet

    Http.Reply moved = Http.get(n2.port(), "/atomic", id);
    CounterServlet.gate.countDown();

    assertThat(moved.status()).isEqualTo(200);
    assertThat(moved.count()).isEqualTo(2);
    assertThat(held.get(20, TimeUnit.SECONDS).status()).isEqualTo(503);
    assertThat(peek(n2, id)).isEqualTo(2);
  }

  // the session came back to the node while the request ran, with a change made elsewhere: the
  // request's copy is older than the record, and committing it would overwrite that change
  @Test
  void changeOfARequestWhoseSessionMovedAwayAndBack_isAnswered503_andOverwritesNothing()
      throws Exception {
    String id = Http.get(n1.port(), "/atomic", null).setCookieId();
    CompletableFuture<Http.Reply> held = hold(n1, id); // count 2 on the copy it holds

    Http.Reply there = Http.get(n2.port(), "/atomic", id);
    Http.Reply back = Http.get(n1.port(), "/atomic", id);
    CounterServlet.gate.countDown();

    assertThat(there.count()).isEqualTo(2);
    assertThat(back.count()).isEqualTo(3);
    assertThat(held.get(20, TimeUnit.SECONDS).status()).isEqualTo(503);
    assertThat(peek(n1, id)).isEqualTo(3);
    assertThat(peek(n2, id)).isEqualTo(3);
  }

  // two requests of the session on one node share its object: the second one's commit carries the
  // first one's change; when the session then moves, the first one's own (empty) commit is refused,
  // yet its change was kept — it is answered 200
  @Test
  void changeCarriedByAnotherRequestsCommit_beforeTheSessionMoved_isAnswered200() throws Exception {
    String id = Http.get(n1.port(), "/atomic", null).setCookieId();
    CompletableFuture<Http.Reply> held = hold(n1, id); // count 2

    Http.Reply second = Http.get(n1.port(), "/atomic", id); // count 3, commits 3
    Http.Reply moved = Http.get(n2.port(), "/atomic", id); // count 4
    CounterServlet.gate.countDown();

    assertThat(second.count()).isEqualTo(3);
    assertThat(moved.count()).isEqualTo(4);
    Http.Reply first = held.get(20, TimeUnit.SECONDS);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.count()).isEqualTo(2);
    assertThat(peek(n2, id)).isEqualTo(4);
  }
}
