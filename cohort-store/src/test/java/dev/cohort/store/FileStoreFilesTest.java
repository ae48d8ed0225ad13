package dev.cohort.store;

import static dev.cohort.store.Records.attrs;
import static dev.cohort.store.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the file store does with the files themselves. */
@Timeout(60)
class FileStoreFilesTest {
  @TempDir Path dir;

  @Test
  void fileName_isAHashOfTheId_neverTheIdItself() throws Exception {
    FileStore store = FileStore.open(dir);
    store.save(record("visible-id", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .singleElement()
          .satisfies(
              n -> assertThat(n).matches("[0-9a-f]{64}\\.session").doesNotContain("visible"));
    }
  }

  @Test
  void directoryAndSessionFiles_areTheOwnersOnly() throws Exception {
    Path created = dir.resolve("a").resolve("b");
    FileStore store = FileStore.open(created);
    store.save(record("mine", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    store.save(record("mine", 2, attrs("a", "2")), Set.of(), Set.of(), true);

    assertThat(StoresTest.permissions(created)).isEqualTo("rwx------");
    assertThat(StoresTest.permissions(dir.resolve("a"))).isEqualTo("rwx------");
    assertThat(StoresTest.permissions(store.fileFor("mine"))).isEqualTo("rw-------");
  }

  @Test
  void truncatedFile_failsToLoad_insteadOfLoadingHalfASession() throws Exception {
    FileStore store = FileStore.open(dir);
    store.save(record("torn", 1, attrs("a", "x".repeat(1000))), Set.of(), Set.of(), true);
    Path file = store.fileFor("torn");
    byte[] all = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> store.load("torn"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("damaged")
        .hasMessageNotContaining("torn");
  }

  @Test
  void flippedByte_failsTheChecksum() throws Exception {
    FileStore store = FileStore.open(dir);
    store.save(record("flip", 1, attrs("a", "x".repeat(100))), Set.of(), Set.of(), true);
    Path file = store.fileFor("flip");
    byte[] all = Files.readAllBytes(file);
    all[all.length - 20] ^= 1;
    Files.write(file, all);
    assertThatThrownBy(() -> store.load("flip")).hasMessageContaining("checksum");
  }

  @Test
  void fileOfAnotherSession_renamedOverThisOne_isNotLoaded() throws Exception {
    FileStore store = FileStore.open(dir);
    store.save(record("mallory", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    store.save(record("alice", 1, attrs("a", "2")), Set.of(), Set.of(), true);
    Files.move(
        store.fileFor("mallory"), store.fileFor("alice"), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> store.load("alice")).hasMessageContaining("another session");
  }

  @Test
  void tempFiles_areIgnored_andStaleOnesRemovedAtOpen() throws Exception {
    FileStore store = FileStore.open(dir);
    store.save(record("real", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    Path fresh = dir.resolve(FileStore.TEMP_PREFIX + "abc.session-1");
    Path stale = dir.resolve(FileStore.TEMP_PREFIX + "def.session-2");
    Files.write(fresh, Files.readAllBytes(store.fileFor("real")));
    Files.write(stale, new byte[] {1, 2, 3});
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));

    assertThat(store.ids()).containsExactly("real");
    FileStore.open(dir);
    assertThat(fresh).exists();
    assertThat(stale).doesNotExist();
  }

  @Test
  void strayFilesInTheDirectory_areNotSessions() throws Exception {
    FileStore store = FileStore.open(dir);
    Files.write(dir.resolve("notes.txt"), new byte[] {1});
    Files.write(dir.resolve("x.session"), new byte[] {1});
    Files.write(dir.resolve("f".repeat(64) + ".session"), new byte[] {1, 2, 3}); // garbage
    assertThat(store.ids()).isEmpty();
    assertThat(store.findExpired(Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  void idsThatLookLikePaths_neverTouchTheFileSystem() throws Exception {
    FileStore store = FileStore.open(dir.resolve("inner"));
    for (String id : List.of("../outside", "/tmp/abs", "..\\win", "a\0b", "z".repeat(10_000))) {
      assertThatThrownBy(() -> store.save(record(id, 1, attrs()), Set.of(), Set.of(), true))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("inner");
    }
  }
}
