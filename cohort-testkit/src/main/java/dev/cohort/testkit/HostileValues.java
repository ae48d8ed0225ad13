package dev.cohort.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.net.UnknownHostException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Attribute values shaped to make a deserializer work hard or reach the network: the shapes that
 * {@code dev.cohort.core.serial.AttributeCodec} must refuse, or read cheaply, sized by the caller.
 * Used by the codec's tests and by {@code DeserializationBench}. Building them touches no network
 * and costs about their size.
 */
public final class HostileValues {

  private HostileValues() {}

  /** Java serialization of {@code value}, as {@code AttributeCodec} writes it. */
  public static byte[] serialize(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * "SerialDOS": {@code depth} levels of two nested HashSets that each hold both sets of the level
   * below, so hashing the root walks 2^depth paths (a few hundred bytes).
   */
  public static Set<Object> nestedHashSets(int depth) {
    Set<Object> root = new HashSet<>();
    Set<Object> s1 = root;
    Set<Object> s2 = new HashSet<>();
    for (int i = 0; i < depth; i++) {
      Set<Object> t1 = new HashSet<>();
      Set<Object> t2 = new HashSet<>();
      t1.add("foo"); // t1 and t2 differ, so both stay in the sets above
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    return root;
  }

  /**
   * A HashSet holding one list of {@code width} references to one list of {@code width} references
   * ... ({@code levels} lists deep): hashing it walks width^levels paths.
   */
  public static Set<Object> sharedLists(int width, int levels) {
    Object below = 7;
    for (int l = 0; l < levels; l++) {
      List<Object> list = new ArrayList<>(width);
      for (int i = 0; i < width; i++) {
        list.add(below);
      }
      below = list;
    }
    Set<Object> set = new HashSet<>();
    set.add(below);
    return set;
  }

  /**
   * {@link #sharedLists} with {@code Arrays.asList} and {@code Vector}, whose elements are written
   * as one array: width^levels paths through arrays.
   */
  public static Set<Object> sharedArrayLists(int width, int levels) {
    Object below = 7;
    for (int l = 0; l < levels; l++) {
      Object[] a = new Object[width];
      java.util.Arrays.fill(a, below);
      below = l % 2 == 0 ? java.util.Arrays.asList(a) : new java.util.Vector<>(List.of(a));
    }
    Set<Object> set = new HashSet<>();
    set.add(below);
    return set;
  }

  /** A HashSet of {@code n} two-element lists that all have the same hashCode. */
  public static Set<Object> collidingLists(int n) {
    Set<Object> set = new HashSet<>();
    for (int a = 0; a < n; a++) {
      set.add(new ArrayList<>(List.of(a, 1_000_000 - 31 * a))); // 31 * (31 + a) + b is constant
    }
    return set;
  }

  /** A HashSet of {@code n} map entries {@code (a, a)}: every hashCode is {@code a ^ a = 0}. */
  public static Set<Object> collidingEntries(int n) {
    Set<Object> set = new HashSet<>();
    for (int a = 0; a < n; a++) {
      set.add(new AbstractMap.SimpleEntry<>(a, a));
    }
    return set;
  }

  /**
   * {@code n} (up to 2^20) distinct strings of {@code 2 * 20} characters with one hashCode ("Aa"
   * and "BB" hash alike).
   */
  public static List<String> collidingStrings(int n) {
    if (n > 1 << 20) {
      throw new IllegalArgumentException("collidingStrings: at most 2^20, not " + n);
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder(40);
      for (int bit = 0; bit < 20; bit++) {
        sb.append((i >> bit & 1) == 0 ? "Aa" : "BB");
      }
      out.add(sb.toString());
    }
    return out;
  }

  /** A Hashtable keyed by {@code n} colliding strings (Hashtable never orders a bucket). */
  public static Hashtable<String, Boolean> collidingHashtable(int n) {
    Hashtable<String, Boolean> table = new Hashtable<>();
    for (String s : collidingStrings(n)) {
      table.put(s, Boolean.TRUE);
    }
    return table;
  }

  /** {@code Set.copyOf} of {@code n} colliding strings (probing, never ordered). */
  public static Set<String> collidingImmutableSet(int n) {
    return Set.copyOf(collidingStrings(n));
  }

  /** A HashSet of {@code n} colliding strings: the one shape a HashMap bucket orders. */
  public static Set<Object> collidingStringSet(int n) {
    return new HashSet<>(collidingStrings(n));
  }

  /**
   * A HashSet of {@code n - 1} colliding strings and one Long of the same hash: a key of another
   * class keeps the bucket's tree from ordering the strings.
   */
  public static Set<Object> collidingMixedKeys(int n) {
    List<String> strings = collidingStrings(n - 1);
    Set<Object> set = new HashSet<>(strings);
    set.add((long) strings.get(0).hashCode() & 0xffffffffL); // Long.hashCode: the low word
    return set;
  }

  /** {@code depth} ArrayLists, each holding the next; the innermost holds a string. */
  public static Object nestedLists(int depth) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      List<Object> l = new ArrayList<>(1);
      l.add(v);
      v = l;
    }
    return v;
  }

  /** An ArrayList of {@code n} nulls: one byte each in the stream. */
  public static List<Object> nulls(int n) {
    List<Object> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(null);
    }
    return l;
  }

  /** An ArrayList of {@code n} references to one Integer: five bytes each in the stream. */
  public static List<Object> backReferences(int n) {
    Integer one = 123_456_789;
    List<Object> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(one);
    }
    return l;
  }

  /** An ArrayList of {@code n} distinct short strings. */
  public static List<String> shortStrings(int n) {
    List<String> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(Integer.toString(i, 36));
    }
    return l;
  }

  /**
   * A PriorityQueue (reading one compares its elements) of {@code n} BigDecimals in pairs of equal
   * adjusted exponent and scales {@code scale} apart in each direction: one with a magnitude of
   * {@code digitBytes} bytes and scale {@code +scale}, one with {@code 2 * scale} fewer digits and
   * scale {@code -scale}. Comparing such a pair computes both precisions and multiplies by ten to
   * the {@code 2 * scale}.
   */
  public static PriorityQueue<BigDecimal> wideDecimals(int n, int digitBytes, int scale) {
    byte[] mag = new byte[digitBytes];
    java.util.Arrays.fill(mag, (byte) 0x5a);
    BigInteger wide = new BigInteger(1, mag);
    BigInteger narrow = wide.divide(BigInteger.TEN.pow(2 * scale));
    PriorityQueue<BigDecimal> q = new PriorityQueue<>();
    for (int i = 0; i < n; i++) {
      BigInteger step = BigInteger.valueOf(i);
      q.add(
          i % 2 == 0
              ? new BigDecimal(wide.subtract(step), scale)
              : new BigDecimal(narrow.add(step), -scale));
    }
    return q;
  }

  /**
   * The "URLDNS" shape: a HashMap keyed by a {@code java.net.URL}, whose hashCode resolves the host
   * when the map is read. Built with a handler that does not resolve, so building it stays off the
   * network.
   */
  public static HashMap<Object, Object> urlKeyedMap(String host) {
    try {
      URL url = new URL(null, "http://" + host + "/", new Unresolving());
      HashMap<Object, Object> m = new HashMap<>();
      m.put(url, "x");
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An InetAddress for 127.0.0.1 named {@code host}, made without a lookup. */
  public static InetAddress inetAddress(String host) {
    try {
      return InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A hand-written stream of a {@code long[]} that declares {@code claimed} elements but carries
   * none: a reader that believes the header allocates {@code 8 * claimed} bytes.
   */
  public static byte[] arrayClaim(int claimed) {
    return stream(
        out -> {
          out.writeByte(0x75); // TC_ARRAY
          classDesc(out, "[J", 0x02);
          out.writeInt(claimed);
        });
  }

  /**
   * A hand-written stream of an {@code Object[]} holding one object each of {@code n} distinct
   * classes {@code java.lang.CohortMissing0..n-1}, which match the default {@code java.lang.*}
   * pattern and exist nowhere: each costs the reader a class-loader miss.
   */
  public static byte[] missingClasses(int n) {
    return stream(
        out -> {
          out.writeByte(0x75); // TC_ARRAY
          classDesc(out, "[Ljava.lang.Object;", 0x02);
          out.writeInt(n);
          for (int i = 0; i < n; i++) {
            out.writeByte(0x73); // TC_OBJECT
            classDesc(out, "java.lang.CohortMissing" + i, 0x02);
          }
        });
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] stream(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeShort(0xACED);
      out.writeShort(5);
      body.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A class descriptor without fields or superclass. */
  private static void classDesc(DataOutputStream out, String name, int flags) throws IOException {
    out.writeByte(0x72); // TC_CLASSDESC
    out.writeUTF(name);
    out.writeLong(1L); // serialVersionUID
    out.writeByte(flags);
    out.writeShort(0); // no fields
    out.writeByte(0x78); // TC_ENDBLOCKDATA: no class annotation
    out.writeByte(0x70); // TC_NULL: no superclass
  }

  /** A URL handler that never resolves a host (hashCode 0) and opens nothing. */
  private static final class Unresolving extends URLStreamHandler {
    @Override
    protected URLConnection openConnection(URL u) {
      throw new UnsupportedOperationException("HostileValues URLs are never opened");
    }

    @Override
    protected int hashCode(URL u) {
      return 0;
    }
  }
}
