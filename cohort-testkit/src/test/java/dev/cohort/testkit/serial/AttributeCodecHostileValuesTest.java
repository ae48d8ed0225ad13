package dev.cohort.testkit.serial;

import static dev.cohort.testkit.HostileValues.serialize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.serial.AttributeException;
import dev.cohort.testkit.HostileValues;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every hostile shape {@link HostileValues} builds is refused by {@link AttributeCodec} before a
 * single object is made, or, at the largest size the bounds let through, is cheap by construction:
 * one step past the bound is refused. No test here measures time (DeserializationBench does); the
 * timeout only keeps a codec without the bounds from hanging the build (depth 62 of nested sets
 * never finishes).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AttributeCodecHostileValuesTest {
  private static final ClassLoader LOADER = AttributeCodecHostileValuesTest.class.getClassLoader();
  private final AttributeCodec codec = AttributeCodec.defaults();

  private Object read(Object value) {
    return read(serialize(value));
  }

  private Object read(byte[] bytes) {
    return codec.deserialize("attack", bytes, LOADER);
  }

  private void assertRefused(Object value, String why) {
    byte[] bytes = value instanceof byte[] b ? b : serialize(value);
    long before = codec.refusals();
    assertThatThrownBy(() -> read(bytes))
        .isInstanceOf(AttributeException.class)
        .hasMessageStartingWith("attribute 'attack' rejected: ")
        .hasMessageContaining(why);
    assertThat(codec.refusals()).isEqualTo(before + 1);
  }

  @Test
  void urlDnsShape_isRefusedByClassName_beforeAnyUrlIsHashed() {
    assertRefused(HostileValues.urlKeyedMap("cohort-test.invalid"), "class java.net.URL");
    assertRefused(HostileValues.inetAddress("db.internal"), "class java.net.InetAddress");
  }

  @Test
  void nestedHashSets_serialDos_areRefused_atDepth26And62() {
    assertRefused(HostileValues.nestedHashSets(26), "hashing its set elements and map keys");
    assertRefused(HostileValues.nestedHashSets(62), "hashing its set elements and map keys");
  }

  @Test
  void nestedHashSets_withinTheHashWorkBound_areRead() {
    // 2^depth paths: depth 14 is about 50,000 hash visits, depth 20 over 2 million
    assertThat(read(HostileValues.nestedHashSets(14))).isInstanceOf(java.util.Set.class);
    assertRefused(HostileValues.nestedHashSets(20), "would visit more than 1000000 nodes");
  }

  @Test
  void sharedListsUnderAHashSet_areRefused_whenTheirPathsExceedTheBound() {
    // width^3 paths: 99^3 = 970,299 is within the bound, 101^3 = 1,030,301 is not
    assertThat(read(HostileValues.sharedLists(99, 3))).isNotNull();
    assertRefused(HostileValues.sharedLists(101, 3), "would visit more than 1000000 nodes");
    assertRefused(HostileValues.sharedLists(300, 3), "would visit more than 1000000 nodes");
    assertRefused(HostileValues.sharedLists(30, 5), "would visit more than 1000000 nodes");
    // the same through the arrays of Arrays.asList and Vector
    assertThat(read(HostileValues.sharedArrayLists(99, 3))).isNotNull();
    assertRefused(HostileValues.sharedArrayLists(101, 3), "would visit more than 1000000 nodes");
  }

  @Test
  void collidingKeysAHashTableCannotOrder_areRefused() {
    String why = "hold too many keys that a hash table cannot order";
    // each two-element list hashes 3 nodes: n * 3n <= 1,000,000 up to n = 577
    assertThat(read(HostileValues.collidingLists(577))).isNotNull();
    assertRefused(HostileValues.collidingLists(578), why);
    // (building these costs the n squared that reading them would: sizes stay small)
    assertRefused(HostileValues.collidingLists(2_000), why);
    assertRefused(HostileValues.collidingEntries(2_000), why);
    // strings: 1,000 squared is the bound where a bucket is never ordered
    assertThat(read(HostileValues.collidingHashtable(1_000))).isNotNull();
    assertRefused(HostileValues.collidingHashtable(1_001), why);
    assertRefused(HostileValues.collidingHashtable(3_000), why);
    assertThat(read(HostileValues.collidingImmutableSet(1_000))).isNotNull();
    assertRefused(HostileValues.collidingImmutableSet(1_001), why);
    // one key of another class unorders the bucket of colliding strings
    assertRefused(HostileValues.collidingMixedKeys(1_001), why);
  }

  @Test
  void collidingStringsInAHashSet_areRead_theBucketOrdersThem() {
    // a HashMap bucket keeps one Comparable class in a tree: n log n, not n squared
    assertThat((java.util.Set<?>) read(HostileValues.collidingStringSet(5_000))).hasSize(5_000);
  }

  @Test
  void nesting_isBoundedByMaxDepth() {
    assertThat(read(HostileValues.nestedLists(AttributeCodec.MAX_DEPTH - 1))).isNotNull();
    assertRefused(
        HostileValues.nestedLists(AttributeCodec.MAX_DEPTH),
        "nests deeper than " + AttributeCodec.MAX_DEPTH);
    assertRefused(HostileValues.nestedLists(500), "nests deeper than");
  }

  @Test
  void references_areBoundedByMaxReferences_nullsAndBackReferencesIncluded() {
    int max = AttributeCodec.MAX_REFERENCES;
    // the list and its class descriptor count too
    assertThat(read(HostileValues.nulls(max - 4))).isNotNull();
    assertRefused(HostileValues.nulls(max), "more than " + max + " objects and references");
    assertRefused(HostileValues.nulls(1_000_000), "objects and references");
    assertRefused(HostileValues.backReferences(max), "objects and references");
  }

  @Test
  void arrays_cannotClaimMoreElementsThanTheStreamHolds() {
    assertRefused(HostileValues.arrayClaim(1 << 24), "more than the stream holds");
    assertRefused(HostileValues.arrayClaim(Integer.MAX_VALUE), "more than the stream holds");
    // a real array of 1 MiB is data, not a claim
    assertThat((byte[]) read((Object) new byte[1 << 20])).hasSize(1 << 20);
  }

  @Test
  void classes_areBoundedByMaxClasses() {
    // 255 missing classes plus the array's own: within the bound, each a class-loader miss
    assertThatThrownBy(() -> read(HostileValues.missingClasses(AttributeCodec.MAX_CLASSES - 1)))
        .hasMessageContaining("not available on this node");
    assertRefused(
        HostileValues.missingClasses(AttributeCodec.MAX_CLASSES),
        "more than " + AttributeCodec.MAX_CLASSES + " classes");
  }

  @Test
  void decimals_whoseComparisonRescalesWithoutBound_areRefused() {
    int scale = AttributeCodec.MAX_DECIMAL_SCALE;
    int bytes = AttributeCodec.MAX_BIG_INTEGER_BYTES;
    assertThat(read(HostileValues.wideDecimals(8, bytes, scale))).isNotNull();
    assertRefused(HostileValues.wideDecimals(8, 64, scale + 1), "scale");
    assertRefused(HostileValues.wideDecimals(8, bytes + 1, 10), "BigInteger of");
  }

  @Test
  void ordinarySessionValues_areNowhereNearTheBounds() {
    Map<String, Object> session = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      session.put("item-" + i, java.util.List.of("name " + i, i, i * 0.5));
    }
    assertThat(read(session)).isEqualTo(session);
  }
}
