package dev.cohort.bench.serial;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.serial.AttributeException;
import dev.cohort.testkit.HostileValues;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * How long {@link AttributeCodec#deserialize} takes on the worst values of up to 1 MiB: each
 * hostile shape of {@link HostileValues} at the largest size the codec still accepts (found by
 * bisection, so the figures follow the bounds), a few refused ones for contrast, and an ordinary
 * session value. Times are wall-clock per read, shape check and filter included; the last column is
 * a bare {@code ObjectInputStream} on the same bytes, for what Java deserialization costs anyway.
 *
 * <p>Run: {@code java -Xmx2g -cp cohort-bench/target/benchmarks.jar
 * dev.cohort.bench.serial.DeserializationBench [reads]} (default 40 reads a shape after 10 to warm
 * up; at most 20 s a shape, and as long again for the bare reads). Prints one row a shape (bytes,
 * accepted or refused, min, median, p90 and max milliseconds) and the load average, which on a
 * shared machine moves the medians more than anything else.
 */
public final class DeserializationBench {
  private static final int MIB = 1 << 20;
  private static final ClassLoader LOADER = DeserializationBench.class.getClassLoader();
  private static final long SHAPE_NANOS = 20_000_000_000L;

  private record Shape(String name, byte[] bytes) {}

  private record Row(Shape shape, boolean accepted, double[] millis, double plainMedian) {
    double at(double q) {
      return millis[Math.min(millis.length - 1, (int) Math.floor(q * (millis.length - 1)))];
    }
  }

  private DeserializationBench() {}

  public static void main(String[] args) {
    int reads = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    double loadBefore = load();
    List<Shape> shapes = shapes();
    List<Row> rows = new ArrayList<>();
    for (Shape s : shapes) {
      rows.add(measure(s, reads));
    }
    System.out.printf(
        Locale.ROOT,
        "%-44s %9s %-9s %8s %8s %8s %8s %9s%n",
        "shape",
        "bytes",
        "result",
        "min ms",
        "median",
        "p90",
        "max",
        "plain OIS");
    Row worst = null;
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-44s %9d %-9s %8.2f %8.2f %8.2f %8.2f %9s%n",
          r.shape.name,
          r.shape.bytes.length,
          r.accepted ? "accepted" : "refused",
          r.at(0),
          r.at(0.5),
          r.at(0.9),
          r.at(1),
          Double.isNaN(r.plainMedian) ? "-" : String.format(Locale.ROOT, "%.2f", r.plainMedian));
      if (r.accepted && (worst == null || r.at(0.5) > worst.at(0.5))) {
        worst = r;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "worst accepted (median): %s, %.2f ms median, %.2f ms p90; load average %.1f before, %.1f"
            + " after, %d processors%n",
        worst.shape.name,
        worst.at(0.5),
        worst.at(0.9),
        loadBefore,
        load(),
        Runtime.getRuntime().availableProcessors());
  }

  private static List<Shape> shapes() {
    List<Shape> s = new ArrayList<>();
    s.add(largest("nested HashSets (SerialDOS), depth", HostileValues::nestedHashSets, 1, 64));
    s.add(largest("shared lists under a HashSet, 3 levels, width", w -> shared(w, 3), 1, 2_000));
    s.add(largest("shared lists under a HashSet, 2 levels, width", w -> shared(w, 2), 1, 50_000));
    s.add(
        largest(
            "shared Arrays.asList/Vector, 3 levels, width",
            w -> HostileValues.sharedArrayLists(w, 3),
            1,
            2_000));
    s.add(
        largest(
            "colliding 2-element lists in a HashSet", HostileValues::collidingLists, 1, 40_000));
    s.add(
        largest("colliding map entries in a HashSet", HostileValues::collidingEntries, 1, 40_000));
    s.add(
        largest("colliding strings in a Hashtable", HostileValues::collidingHashtable, 1, 40_000));
    s.add(largest("colliding strings in Set.of", HostileValues::collidingImmutableSet, 1, 40_000));
    s.add(
        largest(
            "colliding strings + 1 Long in a HashSet",
            HostileValues::collidingMixedKeys,
            2,
            40_000));
    s.add(largest("colliding strings in a HashSet", HostileValues::collidingStringSet, 1, 40_000));
    s.add(largest("nested lists, depth", HostileValues::nestedLists, 1, 200));
    s.add(largest("nulls in an ArrayList", HostileValues::nulls, 1, 2 * MIB));
    s.add(largest("back-references in an ArrayList", HostileValues::backReferences, 1, 2 * MIB));
    s.add(largest("short strings in an ArrayList", HostileValues::shortStrings, 1, 2 * MIB));
    s.add(largest("one string, chars", n -> "x".repeat(n), 1, 2 * MIB));
    s.add(largest("long[], elements", long[]::new, 1, MIB));
    s.add(largest("byte[], elements", byte[]::new, 1, 2 * MIB));
    s.add(
        largest(
            "BigDecimals in a PriorityQueue (8 KiB, scale +-1000)",
            n -> HostileValues.wideDecimals(n, AttributeCodec.MAX_BIG_INTEGER_BYTES, 1000),
            1,
            400));
    s.add(
        new Shape("missing classes (class-loader misses) 255", HostileValues.missingClasses(255)));
    s.add(raw("ordinary: HashMap of 10,000 small lists", ordinary(10_000)));
    s.add(raw("refused: nested HashSets, depth 62", HostileValues.nestedHashSets(62)));
    s.add(raw("refused: 8,000 colliding lists", HostileValues.collidingLists(8_000)));
    s.add(raw("refused: 1,000,000 nulls", HostileValues.nulls(1_000_000)));
    s.add(new Shape("refused: long[] claiming 16 M elements", HostileValues.arrayClaim(1 << 24)));
    s.add(raw("refused: URL-keyed HashMap (URLDNS)", HostileValues.urlKeyedMap("bench.invalid")));
    return s;
  }

  private static Object shared(int width, int levels) {
    return HostileValues.sharedLists(width, levels);
  }

  private static Object ordinary(int n) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.put("item-" + i, List.of("name " + i, i, i * 0.5));
    }
    return m;
  }

  private static Shape raw(String name, Object value) {
    return new Shape(name, HostileValues.serialize(value));
  }

  /**
   * The shape at the largest parameter in [lo, hi] whose value is at most 1 MiB and accepted
   * (bisection: both properties hold up to some parameter and fail beyond it).
   */
  private static Shape largest(String name, IntFunction<Object> build, int lo, int hi) {
    byte[] best = null;
    int bestN = -1;
    while (lo <= hi) {
      int mid = (int) (((long) lo + hi) / 2);
      byte[] b = HostileValues.serialize(build.apply(mid));
      if (b.length <= MIB && accepts(b)) {
        best = b;
        bestN = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best == null) {
      throw new IllegalStateException(name + ": no size is accepted");
    }
    return new Shape(name + " " + bestN, best);
  }

  private static boolean accepts(byte[] b) {
    try {
      AttributeCodec.defaults().deserialize("probe", b, LOADER);
      return true;
    } catch (AttributeException e) {
      return !e.getMessage().contains("' rejected: ");
    }
  }

  private static Row measure(Shape s, int reads) {
    AttributeCodec codec = AttributeCodec.defaults();
    boolean accepted = accepts(s.bytes);
    long deadline = System.nanoTime() + SHAPE_NANOS;
    for (int i = 0; i < 10 && System.nanoTime() < deadline; i++) {
      read(codec, s.bytes);
    }
    double[] millis = new double[reads];
    int done = 0;
    while (done < reads && System.nanoTime() < deadline) {
      long t0 = System.nanoTime();
      read(codec, s.bytes);
      millis[done++] = (System.nanoTime() - t0) / 1e6;
    }
    double[] m = Arrays.copyOf(millis, Math.max(1, done));
    Arrays.sort(m);
    return new Row(s, accepted, m, accepted ? plainMedian(s.bytes, reads) : Double.NaN);
  }

  /**
   * The median time of a bare {@code ObjectInputStream} on the same bytes: no shape check, no
   * filter (accepted values only: the refused ones are what it must not read).
   */
  private static double plainMedian(byte[] bytes, int reads) {
    long deadline = System.nanoTime() + SHAPE_NANOS;
    double[] millis = new double[reads];
    int done = 0;
    while (done < reads && System.nanoTime() < deadline) {
      long t0 = System.nanoTime();
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
        in.readObject();
      } catch (IOException | ClassNotFoundException e) {
        // a missing class: timed all the same
      }
      millis[done++] = (System.nanoTime() - t0) / 1e6;
    }
    double[] m = Arrays.copyOf(millis, Math.max(1, done));
    Arrays.sort(m);
    return m[m.length / 2];
  }

  private static void read(AttributeCodec codec, byte[] bytes) {
    try {
      codec.deserialize("bench", bytes, LOADER);
    } catch (AttributeException e) {
      // refused, or a class that is missing: both are what is being timed
    }
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
