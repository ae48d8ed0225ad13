package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterKeysTest {
  private static final String SECRET = "correct horse battery staple";
  private final AtomicLong nanos = new AtomicLong();
  private final ClusterKeys keys = new ClusterKeys(SECRET, "c1", "test-kdf", nanos::get, 1000);

  @AfterEach
  void close() {
    keys.close();
  }

  private ClusterKeys.SaltKeys derived(Salt s) {
    keys.lookup(s);
    await().atMost(Duration.ofSeconds(10)).until(() -> keys.cached(s) != null);
    return keys.cached(s);
  }

  @Test
  void sameSecretAndSalt_giveTheSameKeys_andSealAndMembershipKeysDiffer() {
    try (ClusterKeys other = new ClusterKeys(SECRET, "c1", "test-kdf-2", nanos::get, 1000)) {
      Salt mine = keys.current();
      assertThat(other.current()).isNotEqualTo(mine); // random per member
      other.lookup(mine);
      await().atMost(Duration.ofSeconds(10)).until(() -> other.cached(mine) != null);
      ClusterKeys.SaltKeys a = keys.cached(mine);
      ClusterKeys.SaltKeys b = other.cached(mine);
      assertThat(b.seal().getEncoded()).isEqualTo(a.seal().getEncoded());
      assertThat(b.join().getEncoded()).isEqualTo(a.join().getEncoded());
      assertThat(a.join().getEncoded()).isNotEqualTo(a.seal().getEncoded());
    }
  }

  @Test
  void anotherClusterName_orSecret_givesOtherKeys() {
    Salt s = keys.current();
    try (ClusterKeys otherCluster = new ClusterKeys(SECRET, "c2", "k2", nanos::get, 1000);
        ClusterKeys otherSecret =
            new ClusterKeys("another secret of 16+ bytes", "c1", "k3", nanos::get, 1000)) {
      for (ClusterKeys o : new ClusterKeys[] {otherCluster, otherSecret}) {
        o.lookup(s);
        await().atMost(Duration.ofSeconds(10)).until(() -> o.cached(s) != null);
        assertThat(o.cached(s).seal().getEncoded())
            .isNotEqualTo(keys.cached(s).seal().getEncoded());
      }
    }
  }

  @Test
  void derivations_areRateLimited_burstThenOnePerRefill() {
    for (int i = 0; i < ClusterKeys.BURST; i++) {
      assertThat(keys.lookup(Salt.random(keys.random()))).isNull();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> keys.derived() == 1 + ClusterKeys.BURST);
    assertThat(keys.lookup(Salt.random(keys.random()))).isNull();
    assertThat(keys.refused()).isEqualTo(1);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ClusterKeys.REFILL_MS));
    Salt next = Salt.random(keys.random());
    assertThat(keys.lookup(next)).isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> keys.cached(next) != null);
    assertThat(keys.refused()).isEqualTo(1);
    assertThat(keys.lookup(Salt.random(keys.random()))).isNull();
    assertThat(keys.refused()).isEqualTo(2);
  }

  @Test
  void onlyTheCoordinatorsMulticast_makesItsSaltOurs() {
    Address coord = UUID.randomUUID();
    Address other = UUID.randomUUID();
    Salt mine = keys.current();
    ClusterKeys.SaltKeys theirs = derived(Salt.random(keys.random()));
    keys.coordinator(coord);
    keys.heardFrom(other, theirs.salt(), true);
    keys.heardFrom(coord, theirs.salt(), false);
    assertThat(keys.current()).isEqualTo(mine);
    keys.heardFrom(coord, theirs.salt(), true);
    assertThat(keys.current()).isEqualTo(theirs.salt());
    assertThat(keys.cached(mine)).isNotNull(); // peers may still seal under it
  }

  @Test
  void unicasts_goUnderTheSaltThePeerWroteIn_untilItIsKnownToHoldOurs() {
    Address joiner = UUID.randomUUID();
    Salt mine = keys.current();
    Salt theirs = derived(Salt.random(keys.random())).salt();
    assertThat(keys.sealingKeys(joiner).salt()).isEqualTo(mine);
    keys.heardFrom(joiner, theirs, false);
    assertThat(keys.sealingKeys(joiner).salt()).isEqualTo(theirs);
    assertThat(keys.sealingKeys(null).salt()).isEqualTo(mine); // multicasts: always ours
    keys.heardFrom(joiner, mine, true); // its multicast: it holds ours now
    assertThat(keys.sealingKeys(joiner).salt()).isEqualTo(mine);
  }

  @Test
  void expand_isHkdfExpand_rfc5869TestCase1() throws Exception {
    // RFC 5869 A.1: PRK and info given, L = 42; the first 32 bytes of OKM are T(1)
    byte[] prk = hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    byte[] info = hex("f0f1f2f3f4f5f6f7f8f9");
    byte[] okm = ClusterKeys.expand(prk, info);
    assertThat(okm)
        .isEqualTo(hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"));
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
