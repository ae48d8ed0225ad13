package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.store.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
