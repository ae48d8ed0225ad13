package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Persistent mode (no cluster) in a child JVM: the process is SIGKILLed right after a response, and
 * the restarted process finds the session with the change of that last response — the write came
 * before the response ({@code storeSync}, the default).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class PersistentKillIT {
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(NodeProcess::close);
  }

  private NodeProcess start(String store) {
    NodeProcess p = NodeProcess.start("p1", PersistentNodeMain.class, List.of(store, "true", "-1"));
    nodes.add(p);
    return p;
  }

  private static String storeSpec(String kind, Path dir) {
    return kind.equals("file")
        ? "file:" + dir.resolve("sessions")
        : "jdbc:h2:file:" + dir.resolve("db");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "h2"})
  void sigkillRightAfterResponse_restartedNodeSeesTheLastChange(String kind) throws Exception {
    String store = storeSpec(kind, Files.createTempDirectory("cohort-kill-" + kind));
    NodeProcess first = start(store);
    String id = Http.get(first.httpPort, "/counter", null).setCookieId();
    assertThat(id).isNotNull();
    List<String> others = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      String other = Http.get(first.httpPort, "/counter", null).setCookieId();
      for (int i = 2; i <= s + 2; i++) {
        Http.get(first.httpPort, "/counter", other);
      }
      others.add(other);
    }
    for (int i = 2; i <= 7; i++) {
      assertThat(Http.get(first.httpPort, "/counter", id).count()).isEqualTo(i);
    }

    first.kill(); // right after the response of count 7
    NodeProcess second = start(store);

    Http.Reply r = Http.get(second.httpPort, "/counter", id);
    assertThat(r.count()).as("count after kill -9 and restart").isEqualTo(8);
    assertThat(r.setCookieId()).as("the same session, no new cookie").isNull();
    for (int s = 0; s < others.size(); s++) {
      assertThat(Http.get(second.httpPort, "/counter", others.get(s)).count())
          .as("session %d after restart", s)
          .isEqualTo(s + 3);
    }
  }
}
