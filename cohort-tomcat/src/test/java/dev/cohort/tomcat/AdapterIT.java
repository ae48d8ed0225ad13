package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.engine.ReplicationException;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.catalina.Context;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The adapter on real embedded Tomcats (HTTP on 127.0.0.1) over {@link FakeCluster}: capture,
 * take-over, route rewrite, listeners, hold. The engine itself is covered by the cluster ITs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdapterIT {
  private final FakeCluster fake = new FakeCluster();
  private EmbeddedNode n1;
  private EmbeddedNode n2;

  private void startTwo() {
    startTwo(c -> {}, context -> {});
  }

  private void startTwo(Consumer<CohortCluster> cluster, Consumer<Context> context) {
    Consumer<CohortCluster> configure =
        c -> {
          c.setEngineFactory(fake.factory());
          cluster.accept(c);
        };
    n1 = EmbeddedNode.start("n1", configure, context);
    n2 = EmbeddedNode.start("n2", configure, context);
  }

  @AfterEach
  void stop() {
    if (n1 != null) {
      n1.close();
    }
    if (n2 != null) {
      n2.close();
    }
  }

  @Test
  void counterContinuesOnAnotherNode_andCookieMovesToItsRoute() {
    startTwo();
    Http.Reply first = Http.get(n1.port(), "/counter", null);
    String id = first.setCookieId();
    assertThat(id).endsWith(".n1");
    assertThat(Http.get(n1.port(), "/counter", id).count()).isEqualTo(2);

    Http.Reply moved = Http.get(n2.port(), "/counter", id);

    assertThat(moved.count()).isEqualTo(3);
    assertThat(moved.node()).isEqualTo("n2");
    assertThat(moved.setCookieId()).isEqualTo(id.replace(".n1", ".n2"));
    assertThat(moved.fields().get("session")).isEqualTo(moved.setCookieId());
    assertThat(n2.events.idChanged.get()).isEqualTo(1);
    assertThat(n1.manager().findSessions()).isEmpty(); // dropped quietly on ownership loss
    assertThat(n1.events.destroyed.get()).isZero();
    assertThat(Http.get(n2.port(), "/counter", moved.setCookieId()).count()).isEqualTo(4);
  }

  // a request that reached a node while its drain handed the sessions over took its session
  // back: two owners, and the user's next count came back one behind (rolling restart, chaos)
  @Test
  void nodeThatIsStopping_answers503_andTakesNoSessionBack() {
    startTwo();
    String id = Http.get(n2.port(), "/counter", null).setCookieId();
    fake.nodes.get("n1").closing = true;

    Http.Reply r = Http.get(n1.port(), "/counter", id);

    assertThat(r.status()).isEqualTo(503);
    assertThat(n1.manager().findSessions()).isEmpty();
    assertThat(Http.get(n2.port(), "/counter", id).count()).isEqualTo(2);
  }

  // chaos run: a take-over raced another node's; the ownership-lost callback ran before the
  // losing node added its local copy, which it then kept serving — 74 changes replicated nowhere,
  // and the user's count went back when another node read the session
  @Test
  void localCopyOfASessionAnotherNodeOwns_isNotServed_theNodeTakesItOverAgain() {
    startTwo();
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    assertThat(Http.get(n1.port(), "/counter", id).count()).isEqualTo(2);
    String base = SessionIds.base(id);
    fake.owners.put(base, "n2"); // moved without telling n1: n1 still has its copy
    assertThat(Http.get(n2.port(), "/counter", id).count()).isEqualTo(3);

    Http.Reply back = Http.get(n1.port(), "/counter", id);

    assertThat(back.count()).isEqualTo(4);
    assertThat(fake.owners.get(base)).isEqualTo("n1");
  }

  @Test
  void changeMadeWhileAnotherNodeTookTheSessionOver_answers503_andIsAppliedNowhere() {
    n1 =
        EmbeddedNode.start(
            "n1",
            c ->
                c.setEngineFactory(
                    (cfg, events) ->
                        new ForwardingEngine(fake.new Node(cfg.nodeName(), events)) {
                          @Override
                          public CompletableFuture<Void> commit(
                              SessionUpdate u, LongConsumer committed) {
                            if (!u.created()) {
                              fake.owners.put(u.id(), "n2"); // taken over mid-request
                            }
                            return super.commit(u, committed);
                          }
                        }));
    n2 = EmbeddedNode.start("n2", c -> c.setEngineFactory(fake.factory()));
    String id = Http.get(n1.port(), "/counter", null).setCookieId();

    Http.Reply lost = Http.get(n1.port(), "/counter", id);

    assertThat(lost.status()).isEqualTo(503);
    assertThat(n1.manager().findSessions()).isEmpty();
    assertThat(Http.get(n2.port(), "/counter", id).count()).isEqualTo(2);
  }

  /** n1's engine counts its look-ups and, when {@code failing}, cannot do them. */
  private final AtomicInteger lookUps = new AtomicInteger();

  private void startCountingLookUps(boolean failing) {
    n1 =
        EmbeddedNode.start(
            "n1",
            c ->
                c.setEngineFactory(
                    (cfg, events) ->
                        new ForwardingEngine(fake.new Node(cfg.nodeName(), events)) {
                          @Override
                          public Optional<SessionRecord> acquire(String id) {
                            lookUps.incrementAndGet();
                            if (failing) {
                              throw new ReplicationException(
                                  "take-over failed [session #0, node n1, no answer from [n3]]",
                                  null);
                            }
                            return super.acquire(id);
                          }

                          // the look-up with the id's route (an override where the engine has it)
                          public Optional<SessionRecord> acquire(String id, String route) {
                            return acquire(id);
                          }
                        }));
    n2 = EmbeddedNode.start("n2", c -> c.setEngineFactory(fake.factory()));
  }

  // a take-over that could not be done (members silent, or too many look-ups running) used to
  // escape from findSession as a 500 with a stack trace in the log, once per request
  @Test
  void lookUpThatCannotBeDoneNow_answers503WithRetryAfter_andCreatesNoSession() {
    startCountingLookUps(true);
    String id = Http.get(n2.port(), "/counter", null).setCookieId();

    Http.Reply r = Http.get(n1.port(), "/counter", id);

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.retryAfter()).isEqualTo("1");
    assertThat(r.setCookieId()).isNull();
    assertThat(n1.manager().findSessions()).isEmpty();
    assertThat(Http.get(n2.port(), "/counter", id).count()).isEqualTo(2);
  }

  // Tomcat looks a requested session up several times per request (the valve, getSession, the
  // creation of a new one): an id found absent is not looked up again in the same request
  @Test
  void unknownId_isLookedUpOncePerRequest_andTheRequestGetsANewSession() {
    startCountingLookUps(false);
    String unknown = "0123456789ABCDEF0123456789ABCDEF.n2";

    Http.Reply r = Http.get(n1.port(), "/counter", unknown);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.count()).isEqualTo(1);
    assertThat(r.setCookieId()).endsWith(".n1").doesNotStartWith("0123456789ABCDEF");
    assertThat(lookUps).hasValue(1);
  }

  // ids Tomcat's generator cannot have made (16 random bytes as 32 upper-case hex characters)
  @Test
  void idOfTheWrongShape_isNotLookedUp_andTheRequestGetsANewSession() {
    startCountingLookUps(false);
    for (String bad :
        List.of(
            "0123456789ABCDEF0123456789ABCDE.n2",
            "0123456789ABCDEF0123456789ABCDEF0.n2",
            "0123456789abcdef0123456789abcdef.n2",
            "0123456789ABCDEF0123456789ABCDEF.",
            "..%2F..%2Fx")) {
      Http.Reply r = Http.get(n1.port(), "/counter", bad);

      assertThat(r.status()).as(bad).isEqualTo(200);
      assertThat(r.count()).as(bad).isEqualTo(1);
    }
    assertThat(lookUps).hasValue(0);
  }

  @Test
  void inPlaceMutationOfAList_survivesTakeOver() {
    startTwo();
    String id = Http.get(n1.port(), "/list", null).setCookieId();
    Http.get(n1.port(), "/list", id);
    Http.get(n1.port(), "/list", id);

    assertThat(Http.get(n2.port(), "/list", id).fields().get("size")).isEqualTo("4");
  }

  @Test
  void readOnlyRequest_capturesReadMutableAttributesButNoRemovals() {
    startTwo();
    String id = Http.get(n1.port(), "/list", null).setCookieId();
    fake.commits.clear();
    Http.get(n1.port(), "/peek", id);

    assertThat(fake.commits).hasSize(1);
    SessionUpdate u = fake.commits.get(0);
    assertThat(u.created()).isFalse();
    assertThat(u.removed()).isEmpty();
    assertThat(u.touched()).doesNotContainKey("list"); // /peek never read the list
  }

  @Test
  void nonSerializableAttribute_failsAtOnceNamingAttributeAndClass() {
    startTwo();
    String error = Http.get(n1.port(), "/bad", null).fields().get("error");
    assertThat(error)
        .contains("'bad'")
        .contains("dev.cohort.tomcat.testapp.Unserializable")
        .contains("Serializable");
  }

  @Test
  void gadgetAttribute_isDroppedOnTheReceivingNode_restOfSessionSurvives() {
    startTwo();
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    Http.get(n1.port(), "/gadget", id);

    Http.Reply r = Http.get(n2.port(), "/peek", id);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.count()).isEqualTo(1);
    assertThat(r.fields().get("gadget")).isEqualTo("false");
    assertThat(Http.get(n2.port(), "/counter", r.setCookieId()).count()).isEqualTo(2);
  }

  @Test
  void invalidate_isSentAtOnce_andOtherNodeForgets() {
    startTwo();
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    Http.get(n1.port(), "/invalidate", id);

    assertThat(fake.records).isEmpty();
    assertThat(Http.get(n2.port(), "/peek", id).count()).isEqualTo(-1);
    assertThat(n1.events.destroyed.get()).isEqualTo(1);
  }

  @Test
  void idleSession_expiresOnce_fromTheEngine() {
    startTwo();
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    Http.get(n1.port(), "/ttl?s=60", id);
    fake.clock = () -> System.currentTimeMillis() + 61_000;

    n1.manager().processExpires();
    n2.manager().processExpires();
    n1.manager().processExpires();

    assertThat(n1.events.destroyed.get() + n2.events.destroyed.get()).isEqualTo(1);
    assertThat(n1.manager().findSessions()).isEmpty();
    assertThat(fake.records).isEmpty();
  }

  @Test
  void responseBytes_areHeldUntilAcknowledged_evenWhenTheAppFlushes() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    FakeCluster.Node[] holder = new FakeCluster.Node[1];
    n1 =
        EmbeddedNode.start(
            "n1",
            c ->
                c.setEngineFactory(
                    (cfg, events) -> {
                      holder[0] = fake.new Node(cfg.nodeName(), events);
                      return new GatedEngine(holder[0], gate);
                    }));
    try (Socket socket = new Socket("127.0.0.1", n1.port())) {
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /flush HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> !fake.commits.isEmpty());
      InputStream in = socket.getInputStream();
      int early;
      try {
        early = in.read();
      } catch (SocketTimeoutException e) {
        early = -2; // nothing arrived while the commit was unacknowledged
      }
      assertThat(early).as("a byte reached the client before the ack").isEqualTo(-2);

      gate.complete(null);
      socket.setSoTimeout(10_000);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      in.transferTo(body);
      assertThat(body.toString(StandardCharsets.UTF_8))
          .startsWith("HTTP/1.1 200")
          .contains("count=1");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // Tomcat's sessionAttributeNameFilter / sessionAttributeValueClassNameFilter: on a DeltaManager
  // in
  // the context (as a context.xml written for Tomcat has it) and on the <Cluster>. A filtered
  // attribute stays on the node that set it: not in the replicated record, not seen by the node
  // that takes the session over, and a non-serializable value for it does not fail the request
  @Test
  void nameFilterOfADeltaManagerInTheContext_keepsOtherAttributesLocal() {
    startTwo(
        c -> {},
        context -> {
          DeltaManager m = new DeltaManager();
          m.setEngineFactory(fake.factory());
          m.setSessionAttributeNameFilter("count");
          context.setManager(m);
        });
    assertThat(n1.manager()).isInstanceOf(DeltaManager.class);
    assertLocalOnlyAttributes();
  }

  @Test
  void valueClassFilterOnTheCluster_keepsValuesOfOtherClassesLocal() {
    startTwo(
        c -> c.setSessionAttributeValueClassNameFilter("java\\.lang\\.(?:Integer|String)"),
        context -> {});
    assertLocalOnlyAttributes();
  }

  /** count (Integer) replicates; list (ArrayList) and bad (not Serializable) stay on n1. */
  private void assertLocalOnlyAttributes() {
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    assertThat(Http.get(n1.port(), "/bad", id).fields()).containsEntry("error", "none");
    assertThat(Http.get(n1.port(), "/list", id).fields()).containsEntry("size", "1");
    assertThat(Http.get(n1.port(), "/list", id).fields()).containsEntry("size", "2");
    assertThat(Http.get(n1.port(), "/counter", id).count()).isEqualTo(2);

    assertThat(fake.records.get(SessionIds.base(id)).attributes()).containsOnlyKeys("count");

    Http.Reply moved = Http.get(n2.port(), "/counter", id); // n2 takes the session over
    assertThat(moved.count()).isEqualTo(3);
    String onN2 = moved.setCookieId();
    assertThat(Http.get(n2.port(), "/list", onN2).fields())
        .as("the list stayed on n1: n2 starts a new one")
        .containsEntry("size", "1");
  }
}
