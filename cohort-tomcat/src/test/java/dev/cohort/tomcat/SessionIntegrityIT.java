package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One session, two nodes, no balancer: parallel requests that each add one to the session's count
 * ({@code /atomic}: atomic on a node, as the demo webapp's counter) go to both nodes at once, so
 * the session moves between them all the time and requests meet a take-over in every phase. Two
 * embedded Tomcats in this JVM, real JGroups over loopback.
 *
 * <p>What must hold exactly: a request answered with an error changed nothing anywhere, and every
 * request answered 200 did — the final count is the number of 200 answers, and no two 200 answers
 * show the same count (that would be a lost update).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SessionIntegrityIT {
  private static final int THREADS = 4;
  private static final int REQUESTS_PER_THREAD = 25;
  private static final int SESSIONS = 6;

  private final List<EmbeddedNode> nodes = new ArrayList<>();
  private ExecutorService pool;

  @AfterEach
  void stop() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    for (EmbeddedNode n : nodes) {
      n.close();
    }
  }

  private void startTwo() {
    String cluster = "it-integrity-" + UUID.randomUUID().toString().substring(0, 8);
    int p1 = NodeProcess.freePort();
    int p2 = NodeProcess.freePort();
    String members = "static:127.0.0.1:" + p1 + ",127.0.0.1:" + p2;
    for (int i = 0; i < 2; i++) {
      int port = i == 0 ? p1 : p2;
      nodes.add(
          EmbeddedNode.start(
              "n" + (i + 1),
              c -> {
                c.setClusterName(cluster);
                c.setBindAddress("127.0.0.1");
                c.setPort(port);
                c.setPortRange(0);
                c.setDiscovery(members);
                c.setHeartbeat(500);
                c.setDropTime(3000);
                c.setSyncTimeout(5000);
              }));
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> nodes.stream().allMatch(n -> n.manager().engine().view().size() == 2));
  }

  private record Answer(int thread, int status, int count, String node) {}

  @Test
  void parallelRequestsOnBothNodes_aFailedRequestChangedNothing_andNoSuccessIsALostUpdate()
      throws Exception {
    startTwo();
    pool = Executors.newFixedThreadPool(THREADS);
    List<String> problems = new ArrayList<>();
    int ok = 0;
    int failed = 0;
    for (int s = 0; s < SESSIONS; s++) {
      Http.Reply first = Http.get(nodes.get(0).port(), "/atomic", null);
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.count()).isEqualTo(1);
      String cookie = first.setCookieId();

      List<Answer> answers = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        threads.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                    EmbeddedNode n = nodes.get((thread + i) % 2);
                    Http.Reply r = Http.get(n.port(), "/atomic", cookie);
                    answers.add(
                        new Answer(thread, r.status(), r.status() == 200 ? r.count() : -1, n.name));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : threads) {
        f.get(120, TimeUnit.SECONDS);
      }
      Http.Reply last = Http.get(nodes.get(s % 2).port(), "/peek", cookie);
      assertThat(last.status()).isEqualTo(200);
      int finalCount = last.count();

      List<Integer> counts = new ArrayList<>();
      for (Answer a : answers) {
        if (a.status() == 200) {
          counts.add(a.count());
        }
      }
      int successes = counts.size();
      ok += successes;
      failed += answers.size() - successes;
      Set<Integer> seen = new HashSet<>();
      List<Integer> twice = new ArrayList<>();
      for (int c : counts) {
        if (!seen.add(c)) {
          twice.add(c);
        }
      }
      if (finalCount != 1 + successes) {
        problems.add(
            "session "
                + s
                + ": final count "
                + finalCount
                + " after 1 + "
                + successes
                + " requests answered 200 ("
                + (answers.size() - successes)
                + " answered otherwise)");
      }
      if (!twice.isEmpty()) {
        problems.add("session " + s + ": counts answered 200 more than once: " + twice);
      }
      if (finalCount != 1 + successes || !twice.isEmpty()) {
        System.out.println(
            "SessionIntegrityIT: session " + s + " " + cookie + " answers " + answers);
      }
    }
    System.out.printf(
        "SessionIntegrityIT: %d sessions, %d requests answered 200, %d answered otherwise%n",
        SESSIONS, ok, failed);
    assertThat(problems).isEmpty();
  }
}
