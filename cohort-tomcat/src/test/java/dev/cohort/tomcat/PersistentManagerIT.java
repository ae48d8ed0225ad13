package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.store.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Persistent mode in one embedded Tomcat: write-through, swap-out and loading back. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PersistentManagerIT {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private static int count(SessionRecord r) {
    return (Integer)
        AttributeCodec.defaults()
            .deserialize(
                "count", r.attributes().get("count"), PersistentManagerIT.class.getClassLoader());
  }

  @Test
  void everyResponse_followsItsStoreWrite() throws Exception {
    Path dir = Files.createTempDirectory("cohort-pm");
    String spec = "file:" + dir.resolve("s");
    PersistentNode node = PersistentNode.start("p1", m -> m.setStore(spec));
    open.add(node);
    String id = Http.get(node.port(), "/counter", null).setCookieId();
    for (int i = 2; i <= 5; i++) {
      assertThat(Http.get(node.port(), "/counter", id).count()).isEqualTo(i);
      try (SessionStore store = Stores.open(spec)) {
        assertThat(store.load(id)).as("stored after response %d", i).isPresent();
        assertThat(count(store.load(id).get())).isEqualTo(i);
      }
    }
  }

  @Test
  void idleSessions_leaveMemory_andComeBackWithTheirAttributes() throws Exception {
    Path dir = Files.createTempDirectory("cohort-swap");
    PersistentNode node =
        PersistentNode.start(
            "p1",
            m -> {
              m.setStore("jdbc:h2:file:" + dir.resolve("db"));
              m.setMaxIdleSwap(1);
            });
    open.add(node);
    List<String> ids = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      String id = Http.get(node.port(), "/counter", null).setCookieId();
      for (int i = 2; i <= s + 2; i++) {
        Http.get(node.port(), "/counter", id);
      }
      ids.add(id);
    }
    assertThat(node.manager.findSessions()).hasSize(5);

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              node.manager.swapIdle();
              return node.manager.findSessions().length == 0;
            });
    for (String id : ids) {
      assertThat(node.manager.engine().owns(SessionIds.base(id))).as("engine memory").isFalse();
    }
    assertThat(node.manager.engine().stats().ownedSessions()).isZero();

    for (int s = 0; s < ids.size(); s++) {
      Http.Reply r = Http.get(node.port(), "/counter", ids.get(s));
      assertThat(r.count()).as("session %d after swap-out", s).isEqualTo(s + 3);
      assertThat(r.setCookieId()).isNull();
    }
    assertThat(node.manager.findSessions()).hasSize(5);
    assertThat(node.events.destroyed.get()).as("no session ended").isZero();
  }

  @Test
  void storedOnlySessionsThatExpire_fireTheirListenersOnce() throws Exception {
    Path dir = Files.createTempDirectory("cohort-swap-expire");
    PersistentNode node =
        PersistentNode.start(
            "p1",
            m -> {
              m.setStore("file:" + dir.resolve("s"));
              m.setMaxIdleSwap(1);
            });
    open.add(node);
    String id = Http.get(node.port(), "/ttl?s=1", null).setCookieId();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              node.manager.swapIdle();
              return node.manager.findSessions().length == 0;
            });
    // 1 s interval: the store sweep waits interval + a quarter + 5 s, then the coordinator (this
    // node) expires it from the store, once
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              node.manager.processExpires();
              return node.events.destroyed.get() >= 1;
            });
    try (SessionStore store = Stores.open("file:" + dir.resolve("s"))) {
      assertThat(store.load(SessionIds.base(id))).isEmpty();
    }
    assertThat(node.events.destroyed.get()).isEqualTo(1);
    assertThat(Http.get(node.port(), "/peek", id).fields().get("count")).isEqualTo("-1");
  }
}
