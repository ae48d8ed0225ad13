package dev.cohort.store.bench;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.store.QueuedStore;
import dev.cohort.store.Stores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Saves/s and loads/s of a counter-sized session (one small attribute changed per save, four 512 B
 * attributes left alone) on each back-end, directly and through {@link QueuedStore}. Not a test: a
 * main class, run as docs/stores.md says. Every phase is bounded by time and by count.
 *
 * <p>Columns: direct saves/s (each save() returns when the back-end has it); queued accepts/s
 * (save() calls on a {@link QueuedStore}); queued durable/s (those calls divided by the time until
 * {@code flush} returned, i.e. until all of them were in the back-end); queued writes/s (coalesced
 * back-end writes per second); loads/s.
 *
 * <p>Arguments: {@code [seconds per phase, default 5] [sessions, default 1000]}. PostgreSQL from
 * COHORT_PG_URL/USER/PASSWORD (default 127.0.0.1:5432/cohort, cohort/cohort); tables get a random
 * name and are dropped at the end.
 */
public final class StoreBench {
  private static final int MAX_OPS = 2_000_000;

  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    Duration phase = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 5);
    int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Path tmp = Files.createTempDirectory("cohort-store-bench");
    String pgUrl = env("COHORT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/cohort");
    String pgUser = env("COHORT_PG_USER", "cohort");
    String pgPassword = env("COHORT_PG_PASSWORD", "cohort");
    String table = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String pgSpec =
        pgUrl
            + (pgUrl.contains("?") ? "&" : "?")
            + "user="
            + pgUser
            + "&password="
            + pgPassword
            + "&cohort.sessionTable="
            + table
            + "&cohort.attributeTable="
            + table
            + "_attr";
    Map<String, String> targets = new java.util.LinkedHashMap<>();
    targets.put("H2 file", "jdbc:h2:file:" + tmp.resolve("h2"));
    targets.put("PostgreSQL", pgSpec);
    targets.put("file store", "file:" + tmp.resolve("files"));
    System.out.printf(
        Locale.ROOT,
        "cohort-store bench: %d sessions, %d s per phase, %d cores, Java %s%n",
        sessions,
        phase.toSeconds(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    System.out.printf(
        Locale.ROOT,
        "%-12s %14s %16s %18s %16s %12s%n",
        "back-end",
        "direct saves/s",
        "queued accepts/s",
        "queued durable/s",
        "queued writes/s",
        "loads/s");
    try {
      for (Map.Entry<String, String> t : targets.entrySet()) {
        try {
          run(t.getKey(), t.getValue(), sessions, phase);
        } catch (RuntimeException e) {
          System.out.printf(Locale.ROOT, "%-12s failed: %s%n", t.getKey(), e.getMessage());
        }
      }
    } finally {
      dropTables(pgUrl, pgUser, pgPassword, table + "_attr", table);
      try (Stream<Path> files = Files.walk(tmp)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(String name, String spec, int sessions, Duration phase) {
    long[] versions = new long[sessions];
    double direct;
    double loads;
    try (SessionStore store = Stores.open(spec)) {
      for (int i = 0; i < sessions; i++) {
        versions[i] = 1;
        store.save(record(i, 1), Set.of(), Set.of(), true);
      }
      direct = saves(store, versions, phase);
      loads = loads(store, sessions, phase);
    }
    double accepts;
    double durable;
    double writes;
    try (QueuedStore queued = new QueuedStore(Stores.open(spec))) {
      long start = System.nanoTime();
      long accepted = 0;
      long deadline = start + phase.toNanos();
      while (System.nanoTime() < deadline && accepted < MAX_OPS) {
        int i = (int) (accepted % sessions);
        queued.save(record(i, ++versions[i]), Set.of("counter"), Set.of(), false);
        accepted++;
      }
      double acceptSeconds = (System.nanoTime() - start) / 1e9;
      queued.flush(Duration.ofMinutes(2));
      double totalSeconds = (System.nanoTime() - start) / 1e9;
      accepts = accepted / acceptSeconds;
      durable = accepted / totalSeconds;
      writes = queued.written() / totalSeconds;
    }
    System.out.printf(
        Locale.ROOT,
        "%-12s %14.0f %16.0f %18.0f %16.0f %12.0f%n",
        name,
        direct,
        accepts,
        durable,
        writes,
        loads);
  }

  private static double saves(SessionStore store, long[] versions, Duration phase) {
    long start = System.nanoTime();
    long deadline = start + phase.toNanos();
    long n = 0;
    while (System.nanoTime() < deadline && n < MAX_OPS) {
      int i = (int) (n % versions.length);
      store.save(record(i, ++versions[i]), Set.of("counter"), Set.of(), false);
      n++;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static double loads(SessionStore store, int sessions, Duration phase) {
    long start = System.nanoTime();
    long deadline = start + phase.toNanos();
    long n = 0;
    while (System.nanoTime() < deadline && n < MAX_OPS) {
      if (store.load(id((int) (n * 7919 % sessions))).isEmpty()) {
        throw new IllegalStateException("bench: a saved session did not load");
      }
      n++;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static SessionRecord record(int i, long version) {
    Map<String, byte[]> attributes = new HashMap<>();
    attributes.put("counter", Long.toString(version).getBytes(StandardCharsets.US_ASCII));
    for (int a = 0; a < 4; a++) {
      attributes.put("data" + a, FILLER);
    }
    long now = System.currentTimeMillis();
    return new SessionRecord(
        id(i), version, now, now, 1800, false, null, null, Map.of(), attributes);
  }

  private static final byte[] FILLER = new byte[512];

  private static String id(int i) {
    return String.format(Locale.ROOT, "bench%027d", i);
  }

  private static void dropTables(String url, String user, String password, String... tables) {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      for (String t : tables) {
        s.execute("DROP TABLE IF EXISTS " + t);
      }
    } catch (Exception e) {
      System.out.println("bench: could not drop PostgreSQL tables " + List.of(tables) + ": " + e);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
