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
import java.util.Set;

/**
 * Turns attribute values into bytes and back. Java serialization (the servlet ecosystem's
 * contract), read only through an {@link ObjectInputFilter} allow-list: JDK value types and
 * collections by default, plus the packages and classes in {@code allowed}.
 *
 * <p>Thread-safe and immutable. Failures are {@link AttributeException}s naming the attribute, the
 * class, and the setting that would allow it.
 */
public final class AttributeCodec {

  /** The setting name that users change to allow more classes (shown in errors). */
  public static final String SETTING = "allowedClasses";

  /** Always allowed: JDK value types, collections and what they need to deserialize. */
  public static final List<String> DEFAULT_ALLOWED =
      List.of(
          "java.lang.*",
          "java.math.*",
          "java.time.*",
          "java.util.*",
          "java.util.concurrent.*",
          "java.util.concurrent.atomic.*",
          "java.net.URI",
          "java.net.URL",
          "java.net.InetAddress",
          "java.net.Inet4Address",
          "java.net.Inet6Address",
          "java.net.Inet6Address$Inet6AddressHolder",
          "java.net.InetAddress$InetAddressHolder",
          "java.security.Principal",
          "javax.security.auth.Subject",
          "javax.security.auth.Subject$SecureSet",
          "dev.cohort.*");

  /** Classes never allowed even when a pattern matches (known gadget carriers). */
  private static final Set<String> DENIED_PREFIXES =
      Set.of(
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

  private final List<String> allowed;
  private final long maxBytes;
  private final int maxDepth;
  private final long maxArray;

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
    this.maxDepth = 64;
    this.maxArray = 1 << 24;
  }

  /** The default codec: JDK types only, values up to 8 MiB. */
  public static AttributeCodec defaults() {
    return new AttributeCodec(List.of(), 8L << 20);
  }

  public List<String> allowed() {
    return allowed;
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
              + " — keep large data out of the session or raise maxAttributeBytes",
          null);
    }
    return out.toByteArray();
  }

  /**
   * Reads one attribute value with {@code loader} (the web application's class loader).
   *
   * @throws AttributeException naming the attribute and class when the class is not allowed, not
   *     found, or the bytes are damaged
   */
  public Object deserialize(String name, byte[] bytes, ClassLoader loader) {
    if (bytes.length > maxBytes) {
      throw new AttributeException(
          "attribute '" + name + "' is " + bytes.length + " bytes, over the limit of " + maxBytes,
          null);
    }
    Filter filter = new Filter();
    try (FilteredStream in = new FilteredStream(new ByteArrayInputStream(bytes), loader, filter)) {
      return in.readObject();
    } catch (InvalidClassException e) {
      if (filter.rejected != null) {
        throw AttributeException.rejected(name, filter.rejected);
      }
      throw new AttributeException(
          "cannot read attribute '" + name + "': incompatible class " + e.classname + ": " + e, e);
    } catch (ClassNotFoundException e) {
      throw new AttributeException(
          "cannot read attribute '"
              + name
              + "': class "
              + e.getMessage()
              + " is not available on this node — deploy the same application version on every node",
          e);
    } catch (IOException | RuntimeException e) {
      if (filter.rejected != null) {
        throw AttributeException.rejected(name, filter.rejected);
      }
      throw new AttributeException("cannot read attribute '" + name + "': " + e, e);
    }
  }

  private static String className(Object v) {
    return v == null ? "null" : v.getClass().getName();
  }

  boolean isAllowed(String className) {
    String cn = className;
    while (cn.startsWith("[")) {
      cn = cn.substring(1);
    }
    if (cn.length() == 1) {
      return true; // primitive array component
    }
    if (cn.startsWith("L") && cn.endsWith(";")) {
      cn = cn.substring(1, cn.length() - 1);
    }
    for (String d : DENIED_PREFIXES) {
      if (cn.startsWith(d)) {
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

  private final class Filter implements ObjectInputFilter {
    volatile String rejected;

    @Override
    public Status checkInput(FilterInfo info) {
      if (info.depth() > maxDepth
          || info.arrayLength() > maxArray
          || info.streamBytes() > maxBytes) {
        rejected = "(a value nested deeper than " + maxDepth + " or larger than the limits)";
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
