package dev.cohort.core.serial;

import static dev.cohort.core.serial.ObjectGraph.ARRAY;
import static dev.cohort.core.serial.ObjectGraph.IDENTITY;
import static dev.cohort.core.serial.ObjectGraph.NULL;
import static dev.cohort.core.serial.ObjectGraph.RECURSIVE;
import static dev.cohort.core.serial.ObjectGraph.VALUE;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a Java serialization stream without creating a single object, and refuses it when reading
 * it for real could be expensive. {@link java.io.ObjectInputFilter} sees one class, a depth and a
 * few counts at a time; it cannot see the shapes that make a small stream cost seconds or hours:
 *
 * <ul>
 *   <li><b>Shared sub-graphs under a hashed container.</b> {@code HashSet.readObject} hashes every
 *       element, and the hash of a list or set walks its elements. When the elements are shared
 *       references (a list holding the same list a hundred times, three levels deep), the walk
 *       visits every path through the graph: a million per level from a few hundred bytes (the
 *       "SerialDOS" nested-HashSet shape is the width-2 case).
 *   <li><b>Hash collisions among keys a hash table cannot order.</b> {@code HashMap} keeps
 *       colliding keys in a tree only when they are of one {@code Comparable} class; colliding
 *       lists, entries or keys of mixed classes are compared one by one, so n of them cost n²
 *       {@code equals} calls. {@code Hashtable} and {@code Set.of}/{@code Map.of} never build
 *       trees, so even colliding strings cost n².
 *   <li><b>Numbers whose comparison explodes.</b> Comparing {@code BigDecimal}s of different scales
 *       multiplies by ten to the difference, and colliding keys, a {@code PriorityQueue} or a
 *       {@code ConcurrentSkipListMap} compare while they are read.
 * </ul>
 *
 * <p>This class walks the stream's grammar (Java Object Serialization Specification, chapter 6)
 * into an {@link ObjectGraph} and refuses, before {@code ObjectInputStream} runs: a class not on
 * the allow-list (so no refused class is ever loaded), nesting deeper than {@link
 * AttributeCodec#MAX_DEPTH}, more than {@link AttributeCodec#MAX_CLASSES} classes or {@link
 * AttributeCodec#MAX_REFERENCES} references, an array longer than the stream, a {@code BigDecimal}
 * scale beyond {@link AttributeCodec#MAX_DECIMAL_SCALE} or a {@code BigInteger} over {@link
 * AttributeCodec#MAX_BIG_INTEGER_BYTES}, the hashing and collision work the graph bounds ({@link
 * ObjectGraph#MAX_HASH_WORK}, {@link AttributeCodec#MAX_COLLISION_WORK}), and anything malformed:
 * class annotations, proxies, exceptions and resets, which no value written by {@link
 * AttributeCodec} contains.
 *
 * <p>Classes the user allows are trusted to have a {@code hashCode} and {@code equals} that cost
 * about their own size: the figures count them as leaves.
 *
 * <p>Limitation: a class whose {@code writeObject} writes data without first calling {@code
 * defaultWriteObject} or {@code writeFields} (which the specification requires) is refused as
 * malformed when it has serializable fields.
 *
 * <p>Not thread-safe; one instance reads one stream.
 */
final class StreamShape {

  private static final int STREAM_MAGIC = 0xACED;
  private static final int STREAM_VERSION = 5;
  private static final int BASE_HANDLE = 0x7E0000;
  private static final byte TC_NULL = 0x70;
  private static final byte TC_REFERENCE = 0x71;
  private static final byte TC_CLASSDESC = 0x72;
  private static final byte TC_OBJECT = 0x73;
  private static final byte TC_STRING = 0x74;
  private static final byte TC_ARRAY = 0x75;
  private static final byte TC_CLASS = 0x76;
  private static final byte TC_BLOCKDATA = 0x77;
  private static final byte TC_ENDBLOCKDATA = 0x78;
  private static final byte TC_BLOCKDATALONG = 0x7A;
  private static final byte TC_LONGSTRING = 0x7C;
  private static final byte TC_ENUM = 0x7E;
  private static final int SC_WRITE_METHOD = 0x01;
  private static final int SC_SERIALIZABLE = 0x02;
  private static final int SC_EXTERNALIZABLE = 0x04;
  private static final int SC_BLOCK_DATA = 0x08;
  private static final int SC_ENUM = 0x10;

  private static final String STRING = "java.lang.String";
  private static final String BIG_INTEGER = "java.math.BigInteger";

  /** The stream class of {@code List.of}, {@code Set.of} and {@code Map.of}. */
  private static final String COLL_SER = "java.util.CollSer";

  /** The int field read from objects of these classes (see {@link ClassDesc#intField}). */
  private static final Map<String, String> INT_FIELDS =
      Map.of(COLL_SER, "tag", "java.math.BigDecimal", "scale");

  /** A class descriptor, with what every object of the class needs worked out once. */
  private static final class ClassDesc {
    final String name;
    final int flags;
    final int primBytes;
    final int objectFields;

    /**
     * Where the one int field this check reads lies in the primitive data, -1 for none: the tag of
     * {@code java.util.CollSer} (list, set or map), the scale of {@code BigDecimal}.
     */
    final int intField;

    /** The class and its serializable superclasses, superclass first (the data's layout). */
    final List<ClassDesc> layout;

    /** Whether {@code hashCode} walks the contents (a JDK collection, or a subclass of one). */
    final boolean recursive;

    /** A {@code Properties} (or subclass): its Hashtable stream feeds a ConcurrentHashMap. */
    final boolean properties;

    ClassDesc(
        String name,
        int flags,
        int primBytes,
        int objectFields,
        int intField,
        ClassDesc superDesc) {
      this.name = name;
      this.flags = flags;
      this.primBytes = primBytes;
      this.objectFields = objectFields;
      this.intField = intField;
      List<ClassDesc> l = new ArrayList<>();
      if (superDesc != null) {
        l.addAll(superDesc.layout);
      }
      l.add(this);
      this.layout = List.copyOf(l);
      this.recursive =
          ObjectGraph.recursiveHash(name) || (superDesc != null && superDesc.recursive);
      this.properties =
          name.equals("java.util.Properties") || (superDesc != null && superDesc.properties);
    }

    boolean is(int flag) {
      return (flags & flag) != 0;
    }
  }

  private final byte[] in;
  private final Predicate<String> allowed;
  private int pos;

  /** Handle number to node id, or to {@code -2 - index} of a class descriptor. */
  private int[] handles = new int[64];

  private int handleCount;
  private final List<ClassDesc> descs = new ArrayList<>();
  private int classCount;
  private int references;
  private final ObjectGraph graph = new ObjectGraph();

  private StreamShape(byte[] in, Predicate<String> allowed) {
    this.in = in;
    this.allowed = allowed;
  }

  /**
   * Checks {@code bytes}, one serialized value.
   *
   * @param allowed whether a class name is on the allow-list
   * @throws Refused naming the class or the bound that refused the stream
   */
  static void check(byte[] bytes, Predicate<String> allowed) throws Refused {
    StreamShape s = new StreamShape(bytes, allowed);
    if (s.u2() != STREAM_MAGIC || s.u2() != STREAM_VERSION) {
      throw new Refused(null, "it is not a Java serialization stream");
    }
    s.content(1);
    if (s.pos != bytes.length) {
      throw malformed((bytes.length - s.pos) + " bytes follow the value");
    }
    s.graph.checkWork();
  }

  /** Why a stream was refused: the class that is not allowed, or the bound it exceeds. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    /** The class not on the allow-list; null when a bound refused the stream. */
    final String className;

    Refused(String className, String why) {
      super(why, null, false, false);
      this.className = className;
    }
  }

  // ---- grammar ----

  /** One content item where an object belongs; returns its node id or {@link #NULL}. */
  private int content(int depth) throws Refused {
    if (depth > AttributeCodec.MAX_DEPTH) {
      throw new Refused(null, "it nests deeper than " + AttributeCodec.MAX_DEPTH + " levels");
    }
    countReference();
    byte tc = u1();
    switch (tc) {
      case TC_NULL:
        return NULL;
      case TC_REFERENCE:
        {
          int h = handle();
          if (h < 0) {
            throw malformed("a reference to a class descriptor where an object belongs");
          }
          return h;
        }
      case TC_OBJECT:
        return newObject(depth);
      case TC_STRING:
        {
          int id = newNode(STRING, VALUE);
          skip(u2());
          return id;
        }
      case TC_LONGSTRING:
        {
          int id = newNode(STRING, VALUE);
          long len = s8();
          if (len < 0 || len > in.length - pos) {
            throw malformed("a string longer than the stream");
          }
          skip(len);
          return id;
        }
      case TC_ARRAY:
        return newArray(depth);
      case TC_ENUM:
        {
          ClassDesc d = classDesc(depth);
          if (d == null || !d.is(SC_ENUM)) {
            throw malformed("an enum constant of a class that is not an enum");
          }
          int id = newNode(d.name, IDENTITY);
          requireString(content(depth + 1), "an enum constant without a name");
          return id;
        }
      case TC_CLASS:
        {
          if (classDesc(depth) == null) {
            throw malformed("a class object without a descriptor");
          }
          return newNode("java.lang.Class", IDENTITY);
        }
      default:
        throw malformed(
            String.format("type code 0x%02x where an object belongs", tc & 0xff)
                + " (class descriptors, exceptions, resets and proxies are not accepted)");
    }
  }

  private int newObject(int depth) throws Refused {
    ClassDesc d = classDesc(depth);
    if (d == null || d.is(SC_ENUM)) {
      throw malformed("an object without a class, or of an enum class");
    }
    int id = newNode(d.name, d.recursive ? RECURSIVE : VALUE);
    if (d.is(SC_EXTERNALIZABLE)) {
      annotation(depth, id, null); // one block for the whole object, whatever its superclasses
      return id;
    }
    for (ClassDesc c : d.layout) {
      if (!c.is(SC_SERIALIZABLE)) {
        continue;
      }
      int tag = 0;
      if (c.intField >= 0) {
        need(c.primBytes);
        int v = intAt(pos + c.intField);
        if (c.name.equals(COLL_SER)) {
          tag = v & 0xff;
        } else if (Math.abs((long) v) > AttributeCodec.MAX_DECIMAL_SCALE) {
          throw new Refused(
              null,
              "it holds a BigDecimal of scale "
                  + v
                  + ", beyond ±"
                  + AttributeCodec.MAX_DECIMAL_SCALE);
        }
      }
      skip(c.primBytes);
      for (int i = 0; i < c.objectFields; i++) {
        int child = content(depth + 1);
        if (c.name.equals(BIG_INTEGER)
            && child != NULL
            && graph.byteArrayLength(child) > AttributeCodec.MAX_BIG_INTEGER_BYTES) {
          throw new Refused(
              null,
              "it holds a BigInteger of "
                  + graph.byteArrayLength(child)
                  + " bytes, over "
                  + AttributeCodec.MAX_BIG_INTEGER_BYTES);
        }
        graph.addChild(id, child);
      }
      if (c.is(SC_WRITE_METHOD)) {
        ObjectGraph.Table t = table(c.name, d.properties, tag);
        ObjectGraph.IntList items = t == null ? null : new ObjectGraph.IntList();
        annotation(depth, id, items);
        if (t != null) {
          boolean set = c.name.equals("java.util.HashSet") || (c.name.equals(COLL_SER) && tag == 2);
          graph.addHashed(t, items.every(set ? 1 : 2));
        }
      }
    }
    return id;
  }

  private static ObjectGraph.Table table(String className, boolean properties, int tag) {
    return switch (className) {
      case "java.util.HashMap", "java.util.HashSet", "java.util.concurrent.ConcurrentHashMap" ->
          ObjectGraph.Table.TREE;
      // Properties keeps its entries in a ConcurrentHashMap, in the stream of a Hashtable
      case "java.util.Hashtable" -> properties ? ObjectGraph.Table.TREE : ObjectGraph.Table.PROBE;
      case COLL_SER -> tag == 2 || tag == 3 ? ObjectGraph.Table.PROBE : null;
      default -> null;
    };
  }

  /**
   * Block data and objects up to TC_ENDBLOCKDATA; the objects become children of {@code id}, and
   * are added to {@code items} when it is not null.
   */
  private void annotation(int depth, int id, ObjectGraph.IntList items) throws Refused {
    while (true) {
      byte tc = peek();
      if (tc == TC_ENDBLOCKDATA) {
        pos++;
        return;
      } else if (tc == TC_BLOCKDATA) {
        pos++;
        skip(u1() & 0xff);
      } else if (tc == TC_BLOCKDATALONG) {
        pos++;
        skip(s4());
      } else {
        int child = content(depth + 1);
        if (items != null) {
          items.add(child);
        }
        graph.addChild(id, child);
      }
    }
  }

  private int newArray(int depth) throws Refused {
    ClassDesc d = classDesc(depth);
    if (d == null || d.name.length() < 2 || d.name.charAt(0) != '[') {
      throw malformed("an array without an array class");
    }
    char type = d.name.charAt(1);
    boolean objects = type == 'L' || type == '[';
    int id = newNode(d.name, objects ? ARRAY : IDENTITY);
    int len = s4();
    if (type == 'B') {
      graph.setByteArrayLength(id, len);
    }
    long size = objects ? len : (long) len * primSize(type);
    if (len < 0 || size > in.length - pos) {
      throw new Refused(
          null, "it declares an array of " + len + " elements, more than the stream holds");
    }
    if (objects) {
      for (int i = 0; i < len; i++) {
        graph.addChild(id, content(depth + 1));
      }
    } else {
      skip(size);
    }
    return id;
  }

  /** A class descriptor, or null for TC_NULL. */
  private ClassDesc classDesc(int depth) throws Refused {
    countReference();
    byte tc = u1();
    if (tc == TC_NULL) {
      return null;
    }
    if (tc == TC_REFERENCE) {
      int h = handle();
      if (h >= 0) {
        throw malformed("a reference to an object where a class descriptor belongs");
      }
      return descs.get(-2 - h);
    }
    if (tc != TC_CLASSDESC) {
      throw malformed(
          String.format("type code 0x%02x where a class descriptor belongs", tc & 0xff)
              + " (proxy classes are not accepted)");
    }
    if (++classCount > AttributeCodec.MAX_CLASSES) {
      throw new Refused(null, "it involves more than " + AttributeCodec.MAX_CLASSES + " classes");
    }
    String name = utf();
    if (!allowed.test(name)) {
      throw new Refused(name, "class not allowed");
    }
    skip(8); // serialVersionUID
    int handle = newHandle(Integer.MIN_VALUE); // not referable until complete
    int flags = u1() & 0xff;
    if ((flags & SC_EXTERNALIZABLE) != 0
        && ((flags & SC_SERIALIZABLE) != 0 || (flags & SC_BLOCK_DATA) == 0)) {
      throw malformed("class " + name + " has flags that no current writer produces");
    }
    int count = u2();
    int primBytes = 0;
    int objectFields = 0;
    int intField = -1;
    String wanted = INT_FIELDS.get(name);
    for (int i = 0; i < count; i++) {
      char type = (char) (u1() & 0xff);
      String field = utf();
      if (type == 'L' || type == '[') {
        requireString(content(depth + 1), "field " + field + " of " + name + " has no type");
        objectFields++;
      } else if (objectFields > 0) {
        throw malformed("class " + name + " lists a primitive field after an object field");
      } else {
        if (type == 'I' && field.equals(wanted)) {
          intField = primBytes;
        }
        primBytes += primSize(type);
      }
    }
    if (wanted != null && intField < 0) {
      throw malformed("class " + name + " without its field " + wanted);
    }
    if (u1() != TC_ENDBLOCKDATA) {
      throw malformed("class " + name + " carries a class annotation");
    }
    ClassDesc d = new ClassDesc(name, flags, primBytes, objectFields, intField, classDesc(depth));
    descs.add(d);
    handles[handle] = -1 - descs.size(); // -2 - index
    return d;
  }

  private void countReference() throws Refused {
    if (++references > AttributeCodec.MAX_REFERENCES) {
      throw new Refused(
          null, "it holds more than " + AttributeCodec.MAX_REFERENCES + " objects and references");
    }
  }

  private void requireString(int node, String otherwise) throws Refused {
    if (node == NULL || !STRING.equals(graph.className(node))) {
      throw malformed(otherwise);
    }
  }

  private int primSize(char type) throws Refused {
    return switch (type) {
      case 'B', 'Z' -> 1;
      case 'C', 'S' -> 2;
      case 'I', 'F' -> 4;
      case 'J', 'D' -> 8;
      default -> throw malformed("unknown field type '" + type + "'");
    };
  }

  private int newNode(String className, byte kind) {
    int id = graph.add(className, kind);
    newHandle(id);
    return id;
  }

  private int newHandle(int value) {
    if (handleCount == handles.length) {
      handles = Arrays.copyOf(handles, handleCount * 2);
    }
    handles[handleCount] = value;
    return handleCount++;
  }

  // ---- bytes ----

  /** The value of a back-reference's handle: a node id, or {@code -2 - index} of a descriptor. */
  private int handle() throws Refused {
    int h = s4() - BASE_HANDLE;
    if (h < 0 || h >= handleCount || handles[h] == Integer.MIN_VALUE) {
      throw malformed("a reference to an unknown handle");
    }
    return handles[h];
  }

  private String utf() throws Refused {
    int len = u2();
    need(len);
    try {
      String s = new DataInputStream(new ByteArrayInputStream(in, pos - 2, len + 2)).readUTF();
      pos += len;
      return s;
    } catch (IOException e) {
      throw malformed("a name that is not modified UTF-8");
    }
  }

  private byte peek() throws Refused {
    need(1);
    return in[pos];
  }

  private byte u1() throws Refused {
    need(1);
    return in[pos++];
  }

  private int u2() throws Refused {
    need(2);
    int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  private int s4() throws Refused {
    need(4);
    int v = intAt(pos);
    pos += 4;
    return v;
  }

  private int intAt(int at) {
    return ((in[at] & 0xff) << 24)
        | ((in[at + 1] & 0xff) << 16)
        | ((in[at + 2] & 0xff) << 8)
        | (in[at + 3] & 0xff);
  }

  private long s8() throws Refused {
    long hi = s4() & 0xffffffffL;
    long lo = s4() & 0xffffffffL;
    return (hi << 32) | lo;
  }

  private void skip(long n) throws Refused {
    need(n);
    pos += (int) n;
  }

  private void need(long n) throws Refused {
    if (n < 0 || n > in.length - pos) {
      throw malformed("it ends early");
    }
  }

  private static Refused malformed(String why) {
    return new Refused(null, "the stream is malformed: " + why);
  }
}
