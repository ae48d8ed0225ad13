package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.store.Stores;
import dev.cohort.tomcat.admin.AdminAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database dies under load and comes back: a node with the durable tier ({@code storeSync}, so
 * responses normally wait for the database) on a private PostgreSQL that is stopped with {@code
 * pg_ctl stop -m immediate} while 20 users keep clicking. No request fails, {@code /cohort/status}
 * shows the outage while it lasts, and after recovery the database holds every session's last
 * count.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StoreOutageIT {
  private static final int USERS = 20;
  private static final int MAX_REQUESTS_PER_USER = 2_000;
  private static final String SECRET = "store-outage-it-secret-0123456789";
  private static final AdminAuth SIGNER = AdminAuth.of(SECRET);

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private PrivatePostgres postgres;
  private EmbeddedNode node;
  private ExecutorService users;

  @AfterEach
  void stop() throws Exception {
    try {
      if (users != null) {
        users.shutdownNow();
        users.awaitTermination(30, TimeUnit.SECONDS);
      }
      if (node != null) {
        node.close();
      }
    } finally {
      if (postgres != null) {
        postgres.close(); // never leave the private server running
      }
    }
  }

  /** A free port P whose P+100 (FD_SOCK2) is free too. */
  private static int freeClusterPort() {
    for (int i = 0; i < 50; i++) {
      int p = NodeProcess.freePort();
      if (p + 100 < 65536) {
        try (var s =
            new java.net.ServerSocket(p + 100, 1, java.net.InetAddress.getLoopbackAddress())) {
          return p;
        } catch (java.io.IOException e) {
          // taken: try another
        }
      }
    }
    throw new IllegalStateException("no free cluster port pair");
  }

  private HttpRequest.Builder signed(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path));
    SIGNER.sign("GET", path, null).forEach(b::header);
    return b;
  }

  private String status() throws Exception {
    HttpResponse<String> r =
        client.send(
            signed("/cohort/status").timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  private static int count(SessionRecord r) {
    return (Integer)
        AttributeCodec.defaults()
            .deserialize(
                "count", r.attributes().get("count"), StoreOutageIT.class.getClassLoader());
  }

  @Test
  void databaseStoppedUnderLoad_noRequestFails_andEveryLastChangeReachesTheDatabase()
      throws Exception {
    postgres = PrivatePostgres.start(false);
    int port = freeClusterPort();
    node =
        EmbeddedNode.start(
            "n1",
            c -> {
              c.setClusterName("it-outage-" + UUID.randomUUID().toString().substring(0, 8));
              c.setBindAddress("127.0.0.1");
              c.setPort(port);
              c.setPortRange(0);
              c.setDiscovery("static:127.0.0.1:" + port);
              c.setHeartbeat(500);
              c.setDropTime(2000);
              c.setSyncTimeout(3000);
              c.setStore(postgres.spec());
              c.setStoreSync(true);
              c.setSecret(SECRET);
            });
    assertThat(status()).contains("\"store\":{\"up\":true");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger requests = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    String[] ids = new String[USERS];
    int[] last = new int[USERS];
    users = Executors.newFixedThreadPool(USERS);
    List<Future<?>> done = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      int user = u;
      done.add(
          users.submit(
              () -> {
                for (int i = 1; i <= MAX_REQUESTS_PER_USER && running.get(); i++) {
                  try {
                    Http.Reply r = Http.get(node.port(), "/counter", ids[user]);
                    requests.incrementAndGet();
                    if (ids[user] == null) {
                      ids[user] = r.setCookieId();
                    }
                    if (r.status() != 200 || r.count() != i) {
                      failures.add(
                          "user "
                              + user
                              + " request "
                              + i
                              + ": status "
                              + r.status()
                              + ", count "
                              + r.fields().get("count"));
                      return;
                    }
                    last[user] = i;
                  } catch (RuntimeException e) {
                    failures.add("user " + user + " request " + i + ": " + e);
                    return;
                  }
                }
              }));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> requests.get() >= USERS * 5);

    postgres.stopImmediately();
    int atStop = requests.get();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> status().contains("\"store\":{\"up\":false"));
    await().atMost(Duration.ofSeconds(60)).until(() -> requests.get() >= atStop + USERS * 5);
    String during = status();
    assertThat(during).containsPattern("\"queuedWrites\":[1-9]");

    postgres.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> status().contains("\"store\":{\"up\":true,\"queuedWrites\":0"));
    running.set(false);
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    assertThat(failures).as("failed requests (of %d)", requests.get()).isEmpty();
    assertThat(requests.get()).isGreaterThan(atStop);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> status().contains("\"queuedWrites\":0"));
    assertThat(status()).contains("\"droppedWrites\":0").containsPattern("\"failures\":[1-9]");
    String metrics =
        client.send(signed("/cohort/metrics").build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("cohort_store_up").contains("cohort_store_queued");

    try (SessionStore db = Stores.open(postgres.spec())) {
      for (int u = 0; u < USERS; u++) {
        Optional<SessionRecord> r = db.load(SessionIds.base(ids[u]));
        assertThat(r).as("user %d in the database", u).isPresent();
        assertThat(count(r.get())).as("user %d's last count in the database", u).isEqualTo(last[u]);
      }
    }
  }
}
