package dev.cohort.example.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two instances of the example Spring Boot jar in two JVMs (static discovery on 127.0.0.1, free
 * ports, a unique cluster name): a logged-in user's cart survives {@code kill -9} of the instance
 * that served it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CartFailoverIT {
  private final List<CartProcess> apps = new ArrayList<>();

  @AfterEach
  void stop() {
    apps.forEach(CartProcess::close);
  }

  @Test
  void loggedInUsersCart_survivesKill9OfTheInstanceThatServedIt() throws Exception {
    String cluster = "it-cart-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> clusterPorts = CartProcess.freePorts(2);
    List<Integer> httpPorts = CartProcess.freePorts(2);
    String discovery =
        "static:127.0.0.1:" + clusterPorts.get(0) + ",127.0.0.1:" + clusterPorts.get(1);
    for (int i = 0; i < 2; i++) {
      apps.add(
          CartProcess.start(
              "n" + (i + 1),
              List.of(
                  "--server.port=" + httpPorts.get(i),
                  "--cohort.node-name=n" + (i + 1),
                  "--cohort.cluster-name=" + cluster,
                  "--cohort.port=" + clusterPorts.get(i),
                  "--cohort.port-range=0",
                  "--cohort.discovery=" + discovery,
                  "--cohort.heartbeat=300ms",
                  "--management.endpoint.health.group.readiness.show-components=always")));
    }
    int a = httpPorts.get(0);
    int b = httpPorts.get(1);
    for (int i = 0; i < 2; i++) {
      awaitTwoMembers(apps.get(i), httpPorts.get(i));
    }

    Client.Reply login = Client.post(a, "/login?user=alice", null);
    assertThat(login.status()).isEqualTo(200);
    String alice = login.setCookieId();
    assertThat(alice).endsWith(".n1");
    for (String item : List.of("apple", "pear", "plum")) {
      assertThat(Client.post(a, "/cart/add?item=" + item, alice).status()).isEqualTo(200);
    }
    String bob = Client.post(a, "/login?user=bob", null).setCookieId();
    Client.post(a, "/cart/add?item=fig", bob);
    assertThat(Client.get(a, "/cart", alice).strings("$.items"))
        .containsExactly("apple", "pear", "plum");

    apps.get(0).kill();
    assertThat(apps.get(0).process.isAlive()).isFalse();

    Client.Reply after = Client.get(b, "/cart", alice);
    assertThat(after.status()).as("alice's cart on n2 after kill -9 of n1").isEqualTo(200);
    assertThat(after.text("$.user")).isEqualTo("alice");
    assertThat(after.strings("$.items")).containsExactly("apple", "pear", "plum");
    assertThat(after.text("$.node")).isEqualTo("n2");
    assertThat(after.setCookieId()).isEqualTo(alice.replace(".n1", ".n2"));

    Client.Reply more = Client.post(b, "/cart/add?item=kiwi", after.setCookieId());
    assertThat(more.strings("$.items")).containsExactly("apple", "pear", "plum", "kiwi");
    Client.Reply bobs = Client.get(b, "/cart", bob);
    assertThat(bobs.text("$.user")).isEqualTo("bob");
    assertThat(bobs.strings("$.items")).containsExactly("fig");

    // the survivor's figures, through Actuator's health (and its readiness group) and the app's
    // own Micrometer registry
    Client.Reply health = Client.get(b, "/actuator/health", null);
    assertThat(health.text("$.components.cohort.status")).isEqualTo("UP");
    assertThat(health.number("$.components.cohort.details.sessionsOwned")).isEqualTo(2);
    Client.Reply readiness = Client.get(b, "/actuator/health/readiness", null);
    assertThat(readiness.text("$.components.cohort.status")).isEqualTo("UP");
    Client.Reply owned = Client.get(b, "/actuator/metrics/cohort.sessions.owned", null);
    assertThat(owned.number("$.measurements[0].value")).isEqualTo(2);
  }

  private static void awaitTwoMembers(CartProcess app, int port) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .failFast("instance " + app.name + " exited, see " + app.log, () -> !app.process.isAlive())
        .until(
            () -> {
              Client.Reply r = Client.get(port, "/actuator/health", null);
              return "UP".equals(r.text("$.components.cohort.status"))
                  && r.strings("$.components.cohort.details.members").size() == 2;
            });
  }
}
