package dev.cohort.store;

import static dev.cohort.store.Records.attrs;
import static dev.cohort.store.Records.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The queue in front of a real JdbcStore (H2 embedded). */
@Timeout(60)
class QueuedJdbcStoreTest {
  @TempDir Path dir;

  @Test
  void aWriteTheDatabaseRefuses_isDroppedAlone_andTheRestOfItsBatchIsWritten() {
    JdbcStore jdbc = (JdbcStore) Stores.open("jdbc:h2:file:" + dir.resolve("db"));
    try (QueuedStore q = new QueuedStore(jdbc)) {
      for (int i = 0; i < 20; i++) {
        String name = i == 7 ? "n".repeat(JdbcStore.MAX_NAME_CHARS + 1) : "n";
        q.save(record("s" + i, 1, attrs(name, "v")), Set.of(), Set.of(), true);
      }
      q.flush(Duration.ofSeconds(30));
      assertThat(q.dropped()).isEqualTo(1);
      assertThat(q.outage()).isFalse();
      assertThat(jdbc.ids()).hasSize(19).doesNotContain("s7");
    }
  }
}
