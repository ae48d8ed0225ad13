package dev.cohort.core.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectInputStream;
import java.io.ObjectOutput;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Vector;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The codec on ordinary values (every one must come back), the default allow-list, and what a
 * refusal says and counts. The hostile shapes are tested in cohort-testkit's {@code
 * AttributeCodecHostileValuesTest}, next to the values that build them.
 */
class AttributeCodecTest {
  private static final ClassLoader LOADER = AttributeCodecTest.class.getClassLoader();
  private final AttributeCodec codec = AttributeCodec.defaults();
  private final AttributeCodec withTests =
      new AttributeCodec(List.of("dev.cohort.core.serial.*"), 8 << 20);

  private static Object roundTrip(AttributeCodec c, Object v) {
    return c.deserialize("v", c.serialize("v", v), LOADER);
  }

  @Test
  void jdkValuesAndCollections_comeBackEqual() {
    Map<String, Object> cart = new LinkedHashMap<>();
    cart.put("items", new ArrayList<>(List.of("a", "b")));
    cart.put("qty", new TreeMap<>(Map.of("a", 2, "b", 1)));
    cart.put("price", new BigDecimal("19.99"));
    cart.put("big", new BigInteger("123456789012345678901234567890"));
    List<Object> values =
        List.of(
            "text",
            42,
            3.5d,
            'c',
            true,
            7L,
            new int[] {1, 2, 3},
            new String[][] {{"a"}, {"b", null}},
            cart,
            new HashMap<>(Map.of("k", List.of(1, 2))),
            new LinkedHashSet<>(List.of("x", "y")),
            new TreeSet<>(List.of(3, 1, 2)),
            new LinkedList<>(List.of(1, 2)),
            new Vector<>(List.of("v")),
            new CopyOnWriteArrayList<>(List.of("c")),
            new ConcurrentSkipListMap<>(Map.of(1, "one", 2, "two")),
            new Hashtable<>(Map.of("h", 1)),
            List.of(1, 2, 3),
            Set.of("s", "t"),
            Map.of("m", 1, "n", 2),
            Collections.unmodifiableList(new ArrayList<>(List.of("u"))),
            Collections.synchronizedMap(new HashMap<>(Map.of("s", 1))),
            new AbstractMap.SimpleEntry<>("k", "v"),
            EnumSet.of(TimeUnit.SECONDS, TimeUnit.DAYS),
            TimeUnit.HOURS,
            LocalDate.of(2026, 1, 2),
            ZonedDateTime.parse("2026-01-02T03:04:05+01:00[Europe/Paris]"),
            Duration.ofSeconds(90),
            new Date(1_700_000_000_000L),
            UUID.fromString("3f1c2a9e-1111-4222-8333-944455556666"),
            Locale.GERMANY,
            URI.create("https://shop.example/cart?id=1"),
            BitSet.valueOf(new long[] {5}),
            new AtomicLong(5).get(),
            String.class);
    for (Object v : values) {
      Object back = roundTrip(codec, v);
      if (v.getClass().isArray()) {
        assertThat(Arrays.deepEquals(new Object[] {v}, new Object[] {back})).as("%s", v).isTrue();
      } else {
        assertThat(back).as("%s", v.getClass().getName()).isEqualTo(v);
      }
    }
    Properties p = new Properties();
    p.setProperty("a", "1");
    assertThat(roundTrip(codec, p)).isEqualTo(p);
    assertThat(
            new ArrayList<Object>(
                (ArrayDeque<?>) roundTrip(codec, new ArrayDeque<>(List.of(1, 2)))))
        .containsExactly(1, 2);
    assertThat(((Exception) roundTrip(codec, new IllegalStateException("boom"))).getMessage())
        .isEqualTo("boom");
    assertThat(roundTrip(codec, null)).isNull();
  }

  @Test
  void applicationClasses_withCustomSerialForms_comeBack() {
    Custom c = new Custom("alice", 3);
    c.extra = new ArrayList<>(List.of("x", "y"));
    Custom back = (Custom) roundTrip(withTests, c);
    assertThat(back.name).isEqualTo("alice");
    assertThat(back.count).isEqualTo(3);
    assertThat(back.extra).containsExactly("x", "y");
    assertThat(back.rebuilt).isTrue();

    assertThat(((External) roundTrip(withTests, new External("e", 9))).toString()).isEqualTo("e9");
    assertThat(roundTrip(withTests, new Point(1, 2))).isEqualTo(new Point(1, 2));
    assertThat(roundTrip(withTests, Color.RED)).isSameAs(Color.RED);
    Map<Point, List<Point>> graph = new HashMap<>();
    Point shared = new Point(0, 0);
    graph.put(new Point(1, 1), List.of(shared, shared));
    assertThat(roundTrip(withTests, graph)).isEqualTo(graph);
  }

  @Test
  void url_isRefused_namingTheClassAndTheSettingThatAllowsIt() throws Exception {
    URL url = new URL("http://shop.example/");
    long before = codec.refusals();

    assertThatThrownBy(() -> roundTrip(codec, url))
        .isInstanceOf(AttributeException.class)
        .hasMessageContaining("'v'")
        .hasMessageContaining("java.net.URL")
        .hasMessageContaining("'allowedClasses'");
    assertThat(codec.refusals()).isEqualTo(before + 1);

    AttributeCodec allowing = new AttributeCodec(List.of("java.net.URL"), 1 << 20);
    assertThat(roundTrip(allowing, url)).isEqualTo(url);
  }

  @Test
  void inetAddresses_areRefused_uriIsNot() throws Exception {
    InetAddress a = InetAddress.getByAddress("db.internal", new byte[] {10, 0, 0, 1});

    // an Inet4Address is written as an InetAddress
    assertThatThrownBy(() -> roundTrip(codec, a)).hasMessageContaining("java.net.InetAddress");
    assertThat(AttributeCodec.DEFAULT_ALLOWED).noneMatch(p -> p.startsWith("java.net.Inet"));
    assertThat(AttributeCodec.DEFAULT_ALLOWED)
        .filteredOn(p -> p.startsWith("java.net"))
        .containsExactly("java.net.URI");
  }

  @Test
  void deniedPrefixes_winOverTheUsersPatterns() {
    AttributeCodec wide = new AttributeCodec(List.of("java.**", "sun.**"), 1 << 20);

    assertThat(wide.isAllowed("java.lang.invoke.SerializedLambda")).isFalse();
    assertThat(wide.isAllowed("java.rmi.server.UnicastRef")).isFalse();
    assertThat(wide.isAllowed("sun.misc.Unsafe")).isFalse();
    assertThat(wide.isAllowed("[Ljava.lang.String;")).isTrue();
    assertThat(codec.isAllowed("[[I")).isTrue();
    assertThat(codec.isAllowed("I")).as("a class named I is no primitive").isFalse();
  }

  @Test
  void refusalMessages_nameTheClassOrBound_neverTheValue() {
    HashMap<String, Object> secretCarrier = new HashMap<>();
    secretCarrier.put("password", "hunter2-do-not-log");
    secretCarrier.put("gadget", new Custom("x", 1));
    byte[] bytes = withTests.serialize("login", secretCarrier);

    assertThatThrownBy(() -> codec.deserialize("login", bytes, LOADER))
        .hasMessageContaining(Custom.class.getName())
        .hasMessageNotContaining("hunter2");
    byte[] nested = codec.serialize("deep", nestedLists(AttributeCodec.MAX_DEPTH + 1, "hunter2"));
    assertThatThrownBy(() -> codec.deserialize("deep", nested, LOADER))
        .hasMessageContaining("deeper than " + AttributeCodec.MAX_DEPTH)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void malformedStreams_areRefusedAndCounted_notRead() {
    byte[] good = codec.serialize("v", new ArrayList<>(List.of("a", "b")));
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    byte[] notAStream = "hello, world".getBytes();
    long before = codec.refusals();

    for (byte[] b : List.of(trailing, truncated, notAStream)) {
      assertThatThrownBy(() -> codec.deserialize("v", b, LOADER))
          .isInstanceOf(AttributeException.class)
          .hasMessageContaining("rejected");
    }
    assertThat(codec.refusals()).isEqualTo(before + 3);
  }

  @Test
  void proxies_areRefusedBeforeAnyClassIsLoaded() {
    Object proxy =
        Proxy.newProxyInstance(
            LOADER, new Class<?>[] {Runnable.class, Serializable.class}, new Handler());
    byte[] bytes = rawSerialize(proxy);

    assertThatThrownBy(() -> withTests.deserialize("p", bytes, LOADER))
        .hasMessageContaining("proxy classes are not accepted");
  }

  @Test
  void aClassThatIsNotDeployed_isNoRefusal() {
    byte[] bytes = withTests.serialize("v", new Custom("x", 1));
    String deployed = Custom.class.getName();
    String missing = deployed.replace("$Custom", "$Cxstom"); // same length, same pattern
    byte[] renamed =
        new String(bytes, StandardCharsets.ISO_8859_1)
            .replace(deployed, missing)
            .getBytes(StandardCharsets.ISO_8859_1);
    long before = withTests.refusals();

    assertThatThrownBy(() -> withTests.deserialize("v", renamed, LOADER))
        .hasMessageContaining(missing)
        .hasMessageContaining("not available on this node");
    assertThat(withTests.refusals()).isEqualTo(before);
  }

  @Test
  void jdkExceptions_areNotTakenForTheDeniedRuntimeClass() {
    AttributeCodec c = AttributeCodec.defaults();

    assertThat(c.isAllowed("java.lang.RuntimeException")).isTrue();
    assertThat(c.isAllowed("java.lang.Runtime")).isFalse();
    assertThat(c.isAllowed("java.lang.Thread$State")).isFalse();
    assertThat(c.isAllowed("java.lang.ThreadLocal")).isTrue(); // not serializable anyway
  }

  @Test
  void valuesOverTheSizeLimit_areRefused() {
    AttributeCodec small = new AttributeCodec(List.of(), 1024);
    byte[] big = codec.serialize("v", "x".repeat(2000));

    assertThatThrownBy(() -> small.serialize("v", "x".repeat(2000)))
        .hasMessageContaining("over the limit of 1024");
    assertThatThrownBy(() -> small.deserialize("v", big, LOADER))
        .hasMessageContaining("over the limit of 1024");
    assertThat(small.refusals()).isEqualTo(1);
  }

  private static Object nestedLists(int depth, Object leaf) {
    Object v = leaf;
    for (int i = 0; i < depth; i++) {
      v = new ArrayList<>(List.of(v));
    }
    return v;
  }

  private static byte[] rawSerialize(Object v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  enum Color {
    RED
  }

  record Point(int x, int y) implements Serializable {}

  /** Default fields, then its own data written after them. */
  static final class Custom implements Serializable {
    private static final long serialVersionUID = 1L;
    final String name;
    final int count;
    transient List<String> extra;
    transient boolean rebuilt;

    Custom(String name, int count) {
      this.name = name;
      this.count = count;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      out.writeInt(extra == null ? 0 : extra.size());
      out.writeObject(extra);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      in.readInt();
      @SuppressWarnings("unchecked")
      List<String> e = (List<String>) in.readObject();
      extra = e;
      rebuilt = true;
    }
  }

  /** Externalizable: its data is one block of its own. */
  public static final class External implements Externalizable {
    private String s;
    private int n;

    public External() {}

    External(String s, int n) {
      this.s = s;
      this.n = n;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
      out.writeUTF(s);
      out.writeInt(n);
      out.writeObject(List.of(s));
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
      s = in.readUTF();
      n = in.readInt();
      in.readObject();
    }

    @Override
    public String toString() {
      return s + n;
    }
  }

  static final class Handler implements java.lang.reflect.InvocationHandler, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object invoke(Object proxy, java.lang.reflect.Method m, Object[] args) {
      return null;
    }
  }
}
