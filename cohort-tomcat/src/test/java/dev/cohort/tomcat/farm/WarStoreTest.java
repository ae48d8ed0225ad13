package dev.cohort.tomcat.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarStoreTest {
  @TempDir Path dir;
  private WarStore store;
  private byte[] war;
  private String sha;

  @BeforeEach
  void open() throws Exception {
    store = new WarStore(dir, 1 << 20);
    store.open();
    war = Files.readAllBytes(Wars.visits(dir.resolve("build"), "shop.war", "v1"));
    sha = sha256(war);
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private List<Path> incoming() throws Exception {
    try (var s = Files.list(dir.resolve(".farm/incoming"))) {
      return s.toList();
    }
  }

  @Test
  void verifiedWar_isRenamedIntoPlace_underItsDigest() throws Exception {
    Path p = store.stage(new ByteArrayInputStream(war), "shop", war.length, sha);
    assertThat(p).isEqualTo(store.war("shop", sha));
    assertThat(Files.readAllBytes(p)).isEqualTo(war);
    assertThat(store.has("shop", sha)).isTrue();
    assertThat(incoming()).isEmpty();
  }

  @Test
  void corruptWar_isRejected_andLeavesNothing() throws Exception {
    byte[] bad = war.clone();
    bad[bad.length / 2] ^= 1;
    assertThatThrownBy(() -> store.stage(new ByteArrayInputStream(bad), "shop", bad.length, sha))
        .isInstanceOf(WarRejectedException.class)
        .hasMessageContaining("SHA-256")
        .hasMessageContaining("nothing was deployed");
    assertThat(store.has("shop", sha)).isFalse();
    assertThat(incoming()).isEmpty();
  }

  @Test
  void truncatedWar_isRejected_namingBothLengths() throws Exception {
    byte[] half = Arrays.copyOf(war, war.length / 2);
    assertThatThrownBy(() -> store.stage(new ByteArrayInputStream(half), "shop", war.length, sha))
        .isInstanceOf(WarRejectedException.class)
        .hasMessageContaining("received " + half.length + " of " + war.length + " bytes");
    assertThat(incoming()).isEmpty();
  }

  @Test
  void moreBytesThanAnnounced_areRefusedAsTheyArrive() throws Exception {
    byte[] more = Arrays.copyOf(war, war.length + 10);
    assertThatThrownBy(() -> store.stage(new ByteArrayInputStream(more), "shop", war.length, sha))
        .hasMessageContaining("more than the announced");
  }

  @Test
  void notAZip_isRejected_evenWithTheRightDigest() throws Exception {
    byte[] text = "hello".repeat(50).getBytes();
    assertThatThrownBy(
            () -> store.stage(new ByteArrayInputStream(text), "shop", text.length, sha256(text)))
        .hasMessageContaining("not a ZIP archive");
  }

  @Test
  void oversizedWar_isRejectedBeforeReading() {
    assertThatThrownBy(() -> store.begin("shop", 2 << 20, sha))
        .hasMessageContaining("farmMaxWarBytes");
  }

  @Test
  void catalogue_survivesARestart_andPruneKeepsOnlyWhatIsAsked() throws Exception {
    store.stage(new ByteArrayInputStream(war), "shop", war.length, sha);
    FarmApp app = new FarmApp("shop", new AppVersion(7, "n2"), sha, war.length, false, 0);
    FarmApp gone = FarmApp.tombstone("old", new AppVersion(3, "n1"), 1);
    store.saveCatalogue(List.of(app, gone));
    WarStore again = new WarStore(dir, 1 << 20);
    again.open();
    assertThat(again.loadCatalogue()).containsExactlyInAnyOrder(app, gone);
    again.prune("shop", Set.of());
    assertThat(again.has("shop", sha)).isFalse();
  }
}
