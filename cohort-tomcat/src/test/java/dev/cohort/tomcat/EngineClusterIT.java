package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.store.SessionStore;
import dev.cohort.store.FileStore;
import dev.cohort.testkit.InMemoryNetwork;
import dev.cohort.tomcat.testapp.TestRealm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.catalina.Valve;
import org.apache.catalina.authenticator.AuthenticatorBase;
import org.apache.catalina.authenticator.Constants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The adapter on the real engine, three embedded Tomcats in this JVM over the in-memory network
 * (the fast first step; {@link ProcessClusterIT} does the same over JGroups in separate JVMs).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EngineClusterIT {
  private final InMemoryNetwork net = new InMemoryNetwork();
  private final List<EmbeddedNode> nodes = new ArrayList<>();
  private final List<SessionStore> stores = new ArrayList<>();

  private EmbeddedNode start(String name, String mode) {
    return start(name, mode, SessionStore.NONE);
  }

  private EmbeddedNode start(String name, String mode, SessionStore store) {
    EmbeddedNode n =
        EmbeddedNode.start(
            name,
            c -> {
              c.setMode(mode);
              c.setSyncTimeout(3000);
              c.setDrainTimeout(2000);
              c.setStateTransferTimeout(10_000);
              c.setEngineFactory(
                  (cfg, events) ->
                      SessionEngines.create(
                          cfg.engine(),
                          net.newChannel(cfg.nodeName()),
                          store,
                          events,
                          Clock.systemUTC()));
            });
    nodes.add(n);
    return n;
  }

  private void crash(EmbeddedNode n) {
    net.kill(n.name);
    nodes.remove(n);
    n.close();
  }

  @AfterEach
  void stopAll() {
    for (EmbeddedNode n : nodes) {
      n.close();
    }
    net.close();
    stores.forEach(SessionStore::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"all", "backup"})
  void ownerKilled_countContinuesOnAnotherNode_withNoGapAndNewRoute(String mode) {
    EmbeddedNode n1 = start("n1", mode);
    EmbeddedNode n2 = start("n2", mode);
    EmbeddedNode n3 = start("n3", mode);
    await().until(() -> n1.manager().engine().view().size() == 3);
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    for (int i = 2; i <= 5; i++) {
      assertThat(Http.get(n1.port(), "/counter", id).count()).isEqualTo(i);
    }

    crash(n1);
    Http.Reply r = Http.get(n2.port(), "/counter", id);

    assertThat(r.count()).isEqualTo(6);
    assertThat(r.node()).isEqualTo("n2");
    assertThat(r.setCookieId()).isEqualTo(id.replace(".n1", ".n2"));
    assertThat(n2.events.idChanged.get()).isEqualTo(1);
    Http.Reply again = Http.get(n3.port(), "/counter", r.setCookieId());
    assertThat(again.count()).isEqualTo(7);
    assertThat(again.setCookieId()).endsWith(".n3");
  }

  @Test
  void inPlaceMutation_survivesOwnerCrash() {
    EmbeddedNode n1 = start("n1", "backup");
    EmbeddedNode n2 = start("n2", "backup");
    await().until(() -> n1.manager().engine().view().size() == 2);
    String id = Http.get(n1.port(), "/list", null).setCookieId();
    Http.get(n1.port(), "/list", id);
    Http.get(n1.port(), "/list", id);

    crash(n1);

    assertThat(Http.get(n2.port(), "/list", id).fields().get("size")).isEqualTo("4");
  }

  @Test
  void gadget_isRejectedOnTheReceivingNode_whichStaysHealthy() {
    EmbeddedNode n1 = start("n1", "backup");
    EmbeddedNode n2 = start("n2", "backup");
    await().until(() -> n1.manager().engine().view().size() == 2);
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    Http.get(n1.port(), "/gadget", id);

    Http.Reply r = Http.get(n2.port(), "/peek", id);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.count()).isEqualTo(1);
    assertThat(r.fields().get("gadget")).isEqualTo("false");
    assertThat(n2.manager().engine().stats().deserializationRefusals()).isEqualTo(1);
    assertThat(n1.manager().engine().stats().deserializationRefusals()).isZero();
    assertThat(Http.get(n2.port(), "/counter", null).count()).isEqualTo(1);
  }

  @Test
  void gracefulStop_drainsSessionsToTheOthers() {
    EmbeddedNode n1 = start("n1", "backup");
    EmbeddedNode n2 = start("n2", "backup");
    await().until(() -> n1.manager().engine().view().size() == 2);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = Http.get(n1.port(), "/counter", null).setCookieId();
      Http.get(n1.port(), "/counter", id);
      ids.add(id);
    }

    nodes.remove(n1);
    n1.close(); // graceful: drains

    for (String id : ids) {
      assertThat(Http.get(n2.port(), "/counter", id).count()).isEqualTo(3);
    }
    assertThat(n1.events.destroyed.get() + n2.events.destroyed.get()).isZero();
  }

  @Test
  void changeSessionId_isReplicated_oldIdIsGone() {
    EmbeddedNode n1 = start("n1", "backup");
    EmbeddedNode n2 = start("n2", "backup");
    await().until(() -> n1.manager().engine().view().size() == 2);
    String id = Http.get(n1.port(), "/counter", null).setCookieId();
    Http.Reply rotated = Http.get(n1.port(), "/rotate", id);
    String newId = rotated.setCookieId();
    assertThat(newId).isNotEqualTo(id).endsWith(".n1");
    assertThat(n1.events.idChanged.get()).isEqualTo(1);

    assertThat(Http.get(n2.port(), "/counter", newId).count()).isEqualTo(2);
    assertThat(Http.get(n2.port(), "/peek", id).count()).isEqualTo(-1);
  }

  @Test
  void formLoginInProgress_survivesOwnerCrash() {
    EmbeddedNode n1 = start("n1", "backup");
    EmbeddedNode n2 = start("n2", "backup");
    await().until(() -> n1.manager().engine().view().size() == 2);
    Http.Reply loginPage = Http.get(n1.port(), "/secure/page?item=7", null);
    assertThat(loginPage.fields().get("login")).isEqualTo("form");
    String id = loginPage.setCookieId();

    crash(n1);
    Http.Reply check =
        Http.postForm(n2.port(), "/j_security_check", id, "j_username=alice&j_password=secret");

    assertThat(check.status()).as("redirect back to the saved request").isIn(302, 303);
    assertThat(check.location()).endsWith("/secure/page?item=7");
    assertThat(check.setCookieId()).endsWith(".n2");
    Http.Reply page = Http.get(n2.port(), "/secure/page?item=7", check.setCookieId());
    assertThat(page.fields().get("user")).isEqualTo("alice");
  }

  /**
   * FORM login with {@code cache="false"} keeps the password in a session note to log in again on
   * every request; that note stays on the node: not in the replica, not in the store. After a
   * fail-over the user logs in again.
   */
  @Test
  void formLoginWithoutCache_keepsThePasswordOnItsNode_theUserLogsInAgainAfterFailover()
      throws Exception {
    Path dir = Files.createTempDirectory("cohort-notes");
    FileStore s1 = FileStore.open(dir.resolve("n1"));
    FileStore s2 = FileStore.open(dir.resolve("n2"));
    stores.addAll(List.of(s1, s2));
    EmbeddedNode n1 = start("n1", "backup", s1);
    EmbeddedNode n2 = start("n2", "backup", s2);
    await().until(() -> n1.manager().engine().view().size() == 2);
    for (EmbeddedNode n : List.of(n1, n2)) {
      for (Valve v : n.context.getPipeline().getValves()) {
        if (v instanceof AuthenticatorBase a) {
          a.setCache(false);
        }
      }
    }
    String id = Http.get(n1.port(), "/secure/page", null).setCookieId();
    Http.Reply check =
        Http.postForm(
            n1.port(),
            "/j_security_check",
            id,
            "j_username=bob&j_password=" + TestRealm.BOB_PASSWORD);
    Http.Reply page = Http.get(n1.port(), "/secure/page", check.setCookieId());
    assertThat(page.fields()).containsEntry("user", "bob");
    // without the cache every request logs in again, and a login changes the session id
    String current = page.setCookieId() != null ? page.setCookieId() : check.setCookieId();

    // the record with the login's notes reached the store (the user name shows it)...
    await().until(() -> stored(dir).contains("bob"));
    assertThat(n1.manager().findSession(current).getNote(Constants.SESS_PASSWORD_NOTE))
        .as("the note Tomcat logs in again with is there, on n1")
        .isEqualTo(TestRealm.BOB_PASSWORD);
    // ...without the password
    assertThat(stored(dir)).doesNotContain(TestRealm.BOB_PASSWORD);

    crash(n1);
    Http.Reply after = Http.get(n2.port(), "/secure/page", current);

    assertThat(after.fields())
        .as("n2 has no password to log bob in with")
        .containsEntry("login", "form");
    assertThat(stored(dir)).doesNotContain(TestRealm.BOB_PASSWORD);
  }

  /** Every byte of every file under {@code dir}, as Latin-1 text. */
  private static String stored(Path dir) throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        b.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
    return b.toString();
  }

  /** Tomcat's cluster how-to sequence, end to end, in mode all. */
  @Test
  void tomcatScenario_startCrashRestartInvalidateExpire() {
    EmbeddedNode a = start("A", "all");
    String s0 = Http.get(a.port(), "/counter", null).setCookieId();

    EmbeddedNode b = start("B", "all");
    // B's context started only after it received A's sessions
    assertThat(b.manager().engine().isReady()).isTrue();
    assertThat(b.manager().engine().stats().replicaSessions()).isEqualTo(1);
    assertThat(s0).endsWith(".A");

    String s1 = Http.get(a.port(), "/counter", null).setCookieId();
    Http.get(a.port(), "/counter", s1);
    crash(a);

    Http.Reply onB = Http.get(b.port(), "/counter", s1);
    assertThat(onB.count()).isEqualTo(3);
    String s1b = onB.setCookieId();
    assertThat(s1b).endsWith(".B");

    EmbeddedNode a2 = start("A", "all");
    assertThat(a2.manager().engine().stats().replicaSessions()).isGreaterThanOrEqualTo(2);

    Http.get(a2.port(), "/invalidate", s1b);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !b.manager().engine().owns(SessionIds.base(s1b)));
    assertThat(Http.get(b.port(), "/peek", s1b).count()).isEqualTo(-1);
    assertThat(a2.events.destroyed.get() + b.events.destroyed.get()).isEqualTo(1);

    String s2 = Http.get(b.port(), "/ttl?s=1", null).setCookieId();
    int destroyedBefore = a2.events.destroyed.get() + b.events.destroyed.get();
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              a2.manager().processExpires();
              b.manager().processExpires();
              return a2.events.destroyed.get() + b.events.destroyed.get() > destroyedBefore;
            });
    a2.manager().processExpires();
    b.manager().processExpires();
    assertThat(a2.events.destroyed.get() + b.events.destroyed.get()).isEqualTo(destroyedBefore + 1);
    assertThat(Http.get(a2.port(), "/peek", s2).count()).isEqualTo(-1);
    assertThat(Http.get(b.port(), "/peek", s2).count()).isEqualTo(-1);
  }
}
