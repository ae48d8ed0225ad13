package dev.cohort.core.serial;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns attribute values into bytes and back. Java serialization (the servlet ecosystem's
 * contract), read only after two checks:
 *
 * <ol>
 *   <li>{@link StreamShape} walks the bytes without creating objects: every class must be on the
 *       allow-list (JDK value types and collections by default, plus {@code allowed}), and the
 *       stream must be cheap to read (bounded depth, distinct classes, array lengths, and the
 *       hashing work of its sets and maps);
 *   <li>an {@link ObjectInputFilter} checks every class {@code ObjectInputStream} resolves against
 *       the same allow-list, and depth, references, array lengths and bytes read.
 * </ol>
 *
 * <p>With the default list, any value of up to 1 MiB that passes reads in milliseconds
 * (docs/benchmarks.md, {@code DeserializationBench}). The bounds ({@code MAX_*} below) are fixed
 * constants sized so that ordinary session values never meet them; the size bound is the engine's
 * {@code maxSessionBytes}. Classes the application allows are trusted to have a {@code hashCode}
 * and {@code equals} that cost about their own size.
 *
 * <p>Refusals are counted ({@link #refusals()}) and reported as {@link AttributeException}s naming
 * the attribute, the class or the bound, and what to do; never the value.
 *
 * <p>Thread-safe and immutable apart from the refusal counter.
 */
public final class AttributeCodec {

  /** The setting name that users change to allow more classes (shown in errors). */
  public static final String SETTING = "allowedClasses";

  /**
   * Always allowed: JDK value types, collections and what they need to deserialize. Nothing that
   * touches the network when hashed or read ({@code java.net.URL} resolves its host in {@code
   * hashCode}; {@code InetAddress} and its kin are left out with it); {@code java.net.URI} is only
   * parsed.
   */
  public static final List<String> DEFAULT_ALLOWED =
      List.of(
          "java.lang.*",
          "java.math.*",
          "java.time.*",
          "java.util.*",
          "java.util.concurrent.*",
          "java.util.concurrent.atomic.*",
          "java.net.URI",
          "java.security.Principal",
          "javax.security.auth.Subject",
          "javax.security.auth.Subject$SecureSet");

  /**
   * Never allowed, whatever the patterns say (known gadget carriers): packages (ending in a dot)
   * with everything below them, and classes with their nested classes.
   */
  private static final List<String> DENIED =
      List.of(
          "java.lang.reflect.",
          "java.lang.invoke.",
          "java.lang.ProcessBuilder",
          "java.lang.Runtime",
          "java.lang.Thread",
          "java.lang.ClassLoader",
          "javax.management.",
          "java.rmi.",
          "sun.",
          "com.sun.");

  /**
   * Deepest nesting of objects. Real session values nest a handful of levels; 64 leaves room for
   * trees and linked structures while keeping the recursion of reading (and of {@code hashCode} on
   * what was read) far from the thread's stack limit.
   */
  public static final int MAX_DEPTH = 64;

  /**
   * Distinct class descriptors in one value. Each one makes {@code ObjectInputStream} look the
   * class up in the web application's class loader (a miss costs tens of microseconds); an
   * application's value rarely involves more than a few dozen classes.
   */
  public static final int MAX_CLASSES = 256;

  /**
   * Largest scale of a {@code BigDecimal}, either sign. Comparing two decimals of different scales
   * multiplies one by ten to the difference, and a {@code HashMap} bucket of colliding keys, a
   * {@code PriorityQueue} or a {@code ConcurrentSkipListMap} compares while it is read; a scale of
   * a billion would take hours. Money and measurements use scales below 20.
   */
  public static final int MAX_DECIMAL_SCALE = 1_000;

  /**
   * Largest magnitude of a {@code BigInteger} (and so of a {@code BigDecimal}'s digits), bytes:
   * 65,536 bits, beyond a 4096-bit key. Comparing decimals of different scales computes the digit
   * count of the magnitude, whose cost grows faster than its size.
   */
  public static final int MAX_BIG_INTEGER_BYTES = 8_192;

  /**
   * Most content items (objects, back-references and nulls) and class descriptors in one value,
   * 262,144. Reading one costs {@code ObjectInputStream} 40 to 120 ns whatever it is, so this keeps
   * a value of nulls or repeated references to tens of milliseconds; a value with more parts is a
   * cache, not a session attribute.
   */
  public static final int MAX_REFERENCES = 1 << 18;

  /**
   * Nodes that {@code hashCode} visits while hashed containers are read: for each of their keys,
   * every node reachable through collections, once per path. A map with string keys costs one per
   * key, so only shared sub-graphs under hashed containers come near this; a million visits take a
   * few milliseconds.
   */
  public static final long MAX_HASH_WORK = 1_000_000;

  /**
   * Worst-case {@code equals} work of colliding keys that a hash table cannot order: per hashed
   * container, (such keys) × (their summed hash work). A {@code HashSet} of 1,000 single-node keys,
   * or a {@code Hashtable} or {@code Set.of} of 1,000 strings, is at this bound; keys of one {@code
   * Comparable} JDK class (strings, numbers, UUIDs) in a {@code HashMap} or {@code HashSet} count
   * nothing, nor do enums and the application's own classes.
   */
  public static final long MAX_COLLISION_WORK = 1_000_000;

  /**
   * Deepest nesting {@code ObjectInputStream} may reach. Its depth also counts the class
   * descriptors it reads, so this is {@link #MAX_DEPTH} plus room for every class of the stream:
   * the shape check is the one that bounds the objects.
   */
  static final long MAX_FILTER_DEPTH = MAX_DEPTH + MAX_CLASSES + 1;

  private final List<String> allowed;
  private final long maxBytes;
  private final LongAdder refusals = new LongAdder();

  /**
   * @param extraAllowed patterns in {@link ObjectInputFilter.Config#createFilter} style: {@code
   *     com.shop.Cart}, {@code com.shop.*} (package), {@code com.shop.**} (package and below)
   * @param maxBytes largest serialized value accepted (also enforced when serializing)
   */
  public AttributeCodec(List<String> extraAllowed, long maxBytes) {
    Objects.requireNonNull(extraAllowed, "extraAllowed");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    List<String> all = new ArrayList<>(DEFAULT_ALLOWED);
    for (String p : extraAllowed) {
      String t = p.trim();
      if (t.isEmpty() || t.contains(";") || t.contains("!") || t.contains("=")) {
        throw new IllegalArgumentException(
            SETTING
                + ": '"
                + p
                + "' is not a class name or package pattern (a.b.C, a.b.*, a.b.**)");
      }
      all.add(t);
    }
    this.allowed = List.copyOf(all);
    this.maxBytes = maxBytes;
  }

  /** The default codec: JDK types only, values up to 8 MiB. */
  public static AttributeCodec defaults() {
    return new AttributeCodec(List.of(), 8L << 20);
  }

  public List<String> allowed() {
    return allowed;
  }

  /**
   * Values this codec refused to read since it was made: a class not on the allow-list, a bound
   * exceeded, or bytes that are not a well-formed stream. Never decreases.
   */
  public long refusals() {
    return refusals.sum();
  }

  /**
   * Serializes one attribute value.
   *
   * @throws AttributeException if the value (or something it refers to) is not serializable, or the
   *     result is larger than the limit
   */
  public byte[] serialize(String name, Object value) {
    if (value != null && !(value instanceof Serializable)) {
      throw AttributeException.notSerializable(name, value.getClass().getName());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(value);
    } catch (NotSerializableException e) {
      throw AttributeException.notSerializable(name, e.getMessage());
    } catch (IOException e) {
      throw new AttributeException(
          "cannot serialize attribute '" + name + "' (" + className(value) + "): " + e, e);
    }
    if (out.size() > maxBytes) {
      throw new AttributeException(
          "attribute '"
              + name
              + "' ("
              + className(value)
              + ") is "
              + out.size()
              + " bytes serialized, over the limit of "
              + maxBytes
              + " — keep large data out of the session",
          null);
    }
    return out.toByteArray();
  }

  /**
   * Reads one attribute value with {@code loader} (the web application's class loader).
   *
   * @throws AttributeException naming the attribute and class when the class is not allowed, not
   *     found, or the bytes are damaged, and naming the bound when the value is too costly to read
   */
  public Object deserialize(String name, byte[] bytes, ClassLoader loader) {
    if (bytes.length > maxBytes) {
      refusals.increment();
      throw new AttributeException(
          "attribute '"
              + name
              + "' rejected: "
              + bytes.length
              + " bytes, over the limit of "
              + maxBytes
              + " — keep large data out of the session",
          null);
    }
    try {
      StreamShape.check(bytes, this::isAllowed);
    } catch (StreamShape.Refused r) {
      refusals.increment();
      throw r.className != null
          ? AttributeException.rejected(name, r.className)
          : AttributeException.tooCostly(name, r.getMessage());
    }
    Filter filter = new Filter(bytes.length);
    try (FilteredStream in = new FilteredStream(new ByteArrayInputStream(bytes), loader, filter)) {
      return in.readObject();
    } catch (InvalidClassException e) {
      throw refused(name, filter, e);
    } catch (ClassNotFoundException e) {
      throw new AttributeException(
          "cannot read attribute '"
              + name
              + "': class "
              + e.getMessage()
              + " is not available on this node — deploy the same application version on every node",
          e);
    } catch (IOException | RuntimeException | StackOverflowError e) {
      throw refused(name, filter, e);
    }
  }

  private AttributeException refused(String name, Filter filter, Throwable e) {
    if (filter.rejected != null) {
      refusals.increment();
      return filter.rejectedClass
          ? AttributeException.rejected(name, filter.rejected)
          : AttributeException.tooCostly(name, filter.rejected);
    }
    if (e instanceof InvalidClassException ice) {
      return new AttributeException(
          "cannot read attribute '" + name + "': incompatible class " + ice.classname, e);
    }
    return new AttributeException(
        "cannot read attribute '"
            + name
            + "': "
            + e.getClass().getName()
            + " — the bytes are damaged or were written by another version of a class",
        e);
  }

  private static String className(Object v) {
    return v == null ? "null" : v.getClass().getName();
  }

  boolean isAllowed(String className) {
    String cn = className;
    if (cn.startsWith("[")) {
      while (cn.startsWith("[")) {
        cn = cn.substring(1);
      }
      if (cn.length() == 1) {
        return true; // primitive array component
      }
      if (!cn.startsWith("L") || !cn.endsWith(";")) {
        return false;
      }
      cn = cn.substring(1, cn.length() - 1);
    }
    for (String d : DENIED) {
      if (d.endsWith(".") ? cn.startsWith(d) : cn.equals(d) || cn.startsWith(d + "$")) {
        return false;
      }
    }
    for (String p : allowed) {
      if (p.endsWith(".**")) {
        if (cn.startsWith(p.substring(0, p.length() - 2))) {
          return true;
        }
      } else if (p.endsWith(".*")) {
        String pkg = p.substring(0, p.length() - 1);
        if (cn.startsWith(pkg) && cn.indexOf('.', pkg.length()) < 0) {
          return true;
        }
      } else if (cn.equals(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The second line: the same allow-list for every class {@code ObjectInputStream} resolves, and
   * bounds on depth, references, arrays (no more elements than the value has bytes: the allocation
   * a claimed length causes stays proportional to what was sent) and bytes.
   */
  private final class Filter implements ObjectInputFilter {
    private final long streamLength;
    volatile String rejected;
    volatile boolean rejectedClass;

    Filter(long streamLength) {
      this.streamLength = streamLength;
    }

    @Override
    public Status checkInput(FilterInfo info) {
      String bound = null;
      if (info.depth() > MAX_FILTER_DEPTH) {
        bound = "it nests deeper than " + MAX_FILTER_DEPTH + " levels";
      } else if (info.references() > MAX_REFERENCES) {
        bound = "it holds more than " + MAX_REFERENCES + " references";
      } else if (info.arrayLength() > streamLength) {
        bound = "it declares an array of " + info.arrayLength() + " elements in a smaller value";
      } else if (info.streamBytes() > streamLength) {
        bound = "it reads past its end";
      }
      if (bound != null) {
        rejected = bound;
        return Status.REJECTED;
      }
      Class<?> c = info.serialClass();
      if (c == null) {
        return Status.UNDECIDED;
      }
      if (c.isPrimitive() || isAllowed(c.getName())) {
        return Status.ALLOWED;
      }
      rejected = c.getName();
      rejectedClass = true;
      return Status.REJECTED;
    }
  }

  /** Resolves classes with the application's loader and checks every class via the filter. */
  private static final class FilteredStream extends ObjectInputStream {
    private final ClassLoader loader;

    FilteredStream(InputStream in, ClassLoader loader, ObjectInputFilter filter)
        throws IOException {
      super(in);
      this.loader = loader;
      setObjectInputFilter(filter);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      if (loader == null) {
        return super.resolveClass(desc);
      }
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }
}
