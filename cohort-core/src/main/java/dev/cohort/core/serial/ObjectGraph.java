package dev.cohort.core.serial;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The object graph of one stream as {@link StreamShape} reads it, and the work that reading it for
 * real would cost in {@code hashCode} and {@code equals}: the figures the shape check bounds.
 *
 * <p>A node is an object, array, string, enum constant or class; only the children of nodes whose
 * {@code hashCode} walks them (the JDK's collections, maps and entries) are kept. Every hashed
 * container (a {@code HashMap}, {@code HashSet}, {@code Hashtable}, {@code Set.of}, {@code Map.of},
 * ...) records its keys.
 *
 * <p>Not thread-safe; one instance per stream.
 */
final class ObjectGraph {

  static final int NULL = -1;

  /** A node that hashes in about its own size (strings, numbers, the application's classes). */
  static final byte VALUE = 0;

  /** A node whose {@code hashCode} walks its children (the JDK's collections, maps, entries). */
  static final byte RECURSIVE = 1;

  /** A node with an identity hash (enum constants, classes): no key collides with it. */
  static final byte IDENTITY = 2;

  /**
   * An array of objects: an identity hash as a key, but the lists that wrap one ({@code
   * Arrays.asList}, {@code Vector}) hash its elements, so its children are kept.
   */
  static final byte ARRAY = 3;

  /** How a hashed container keeps keys whose hashes collide. */
  enum Table {
    /** The HashMap family: a tree per bucket, when the keys are of one Comparable class. */
    TREE,
    /** Hashtable, Set.of, Map.of: compared one by one. */
    PROBE
  }

  /** JDK classes whose instances a {@code HashMap} orders in a tree when their hashes collide. */
  private static final Set<String> ORDERED_KEYS =
      Set.of(
          "java.lang.String",
          "java.lang.Long",
          "java.lang.Integer",
          "java.lang.Short",
          "java.lang.Byte",
          "java.lang.Character",
          "java.lang.Boolean",
          "java.lang.Double",
          "java.lang.Float",
          "java.math.BigInteger",
          "java.math.BigDecimal",
          "java.util.UUID",
          "java.util.Date",
          "java.net.URI");

  private record Keys(Table table, int[] keys) {}

  // per node only its class and kind: a value of a million strings costs 5 bytes each here
  private String[] nodeClass = new String[64];
  private byte[] nodeKind = new byte[64];
  private int nodeCount;
  private final Map<Integer, IntList> children = new HashMap<>();
  private final Map<Integer, Integer> byteArrayLengths = new HashMap<>();
  private final List<Keys> hashed = new ArrayList<>();

  /** Adds a node; returns its id. */
  int add(String className, byte kind) {
    int id = nodeCount++;
    if (id == nodeClass.length) {
      int n = id * 2;
      nodeClass = Arrays.copyOf(nodeClass, n);
      nodeKind = Arrays.copyOf(nodeKind, n);
    }
    nodeClass[id] = className;
    nodeKind[id] = kind;
    return id;
  }

  String className(int id) {
    return nodeClass[id];
  }

  /** A {@code byte[]}'s length (0 for other nodes). */
  int byteArrayLength(int id) {
    return byteArrayLengths.getOrDefault(id, 0);
  }

  void setByteArrayLength(int id, int length) {
    byteArrayLengths.put(id, length);
  }

  /** Records that {@code parent} holds {@code child} (kept only when hashing can walk it). */
  void addChild(int parent, int child) {
    if (child == NULL || (nodeKind[parent] != RECURSIVE && nodeKind[parent] != ARRAY)) {
      return;
    }
    children.computeIfAbsent(parent, p -> new IntList()).add(child);
  }

  /** Records a hashed container's keys (node ids, {@link #NULL} for null). */
  void addHashed(Table table, int[] keys) {
    hashed.add(new Keys(table, keys));
  }

  /**
   * Whether a class's {@code hashCode} walks what it holds: the JDK's collections, maps and map
   * entries, and a {@code Subject}'s principal sets. Other classes hash in about their own size.
   */
  static boolean recursiveHash(String className) {
    return className.startsWith("java.util.") || className.startsWith("javax.security.auth.");
  }

  /**
   * Refuses the graph when hashing its keys, or comparing colliding ones, costs more than the
   * bounds.
   */
  void checkWork() throws StreamShape.Refused {
    if (hashed.isEmpty()) {
      return;
    }
    long[] work = hashWork();
    long hashWork = 0;
    long collisionWork = 0;
    for (Keys k : hashed) {
      String single = null;
      boolean mixed = false;
      for (int key : k.keys) {
        if (key == NULL || identityHash(key)) {
          continue;
        }
        hashWork = add(hashWork, work[key]);
        if (single == null) {
          single = nodeClass[key];
        } else if (!single.equals(nodeClass[key])) {
          mixed = true;
        }
      }
      long prone = 0;
      long proneWork = 0;
      for (int key : k.keys) {
        if (key != NULL && !identityHash(key) && collides(key, k.table, mixed)) {
          prone++;
          proneWork = add(proneWork, work[key]);
        }
      }
      collisionWork = add(collisionWork, mul(prone, proneWork));
    }
    if (hashWork > AttributeCodec.MAX_HASH_WORK) {
      throw new StreamShape.Refused(
          null,
          "hashing its set elements and map keys would visit more than "
              + AttributeCodec.MAX_HASH_WORK
              + " nodes (shared references inside keys)");
    }
    if (collisionWork > AttributeCodec.MAX_COLLISION_WORK) {
      throw new StreamShape.Refused(
          null,
          "its sets and maps hold too many keys that a hash table cannot order (lists, sets, map"
              + " entries or mixed classes as keys, or a large Hashtable, Set.of or Map.of)");
    }
  }

  private boolean identityHash(int node) {
    return nodeKind[node] == IDENTITY || nodeKind[node] == ARRAY;
  }

  /**
   * Whether {@code key} may be compared one by one with every other key of the same hash. In a
   * tree-bucket table: any key when the table's keys are of mixed classes (a key the tree cannot
   * order makes every insertion past it search the whole bucket), else a JDK key that is not {@link
   * #ORDERED_KEYS ordered}; in a probing table, every JDK key. The application's own classes are
   * trusted to spread their hashes.
   */
  private boolean collides(int key, Table table, boolean mixed) {
    if (table == Table.TREE && mixed) {
      return true;
    }
    String cn = nodeClass[key];
    boolean jdk = cn.startsWith("java.") || cn.startsWith("javax.") || nodeKind[key] == RECURSIVE;
    return jdk && (table == Table.PROBE || !ORDERED_KEYS.contains(cn));
  }

  /**
   * For every node, how many nodes its {@code hashCode} visits: 1, plus its children's figures for
   * a {@link #RECURSIVE} node (and for an {@link #ARRAY}, as a list that wraps it counts). A shared
   * child counts once per reference (that is what hashing does); a child still being visited (a
   * cycle) counts 1. Iterative: chains can be long.
   */
  private long[] hashWork() {
    int n = nodeCount;
    long[] work = new long[n];
    byte[] state = new byte[n]; // 0 new, 1 on the stack, 2 done
    int[] stack = new int[n];
    int[] next = new int[n];
    for (int root = 0; root < n; root++) {
      if (state[root] != 0) {
        continue;
      }
      int top = 0;
      stack[top++] = root;
      state[root] = 1;
      while (top > 0) {
        int v = stack[top - 1];
        IntList cs = children.get(v);
        if (cs != null && next[v] < cs.size()) {
          int c = cs.get(next[v]++);
          if (state[c] == 0) {
            state[c] = 1;
            stack[top++] = c;
          }
          continue;
        }
        long w = 1;
        for (int i = 0; cs != null && i < cs.size(); i++) {
          int c = cs.get(i);
          w = add(w, state[c] == 2 ? work[c] : 1);
        }
        work[v] = w;
        state[v] = 2;
        top--;
      }
    }
    return work;
  }

  /** A growable list of ints (node ids). */
  static final class IntList {
    private int[] items = new int[8];
    private int size;

    void add(int v) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      items[size++] = v;
    }

    int size() {
      return size;
    }

    int get(int i) {
      return items[i];
    }

    /** Every {@code step}-th item from the first: all of a set's, the keys of a map's. */
    int[] every(int step) {
      int[] out = new int[(size + step - 1) / step];
      for (int i = 0, k = 0; i < size; i += step) {
        out[k++] = items[i];
      }
      return out;
    }
  }

  private static long add(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  private static long mul(long a, long b) {
    return (b != 0 && a > Long.MAX_VALUE / b) ? Long.MAX_VALUE : a * b;
  }
}
