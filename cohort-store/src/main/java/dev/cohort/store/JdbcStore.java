package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * A {@link SessionStore} on a relational database through a HikariCP pool: H2 (embedded),
 * PostgreSQL, MariaDB/MySQL.
 *
 * <p>Design: a session row (metadata, {@code expires_at} for expiry scans, notes as one blob) and
 * an attribute table keyed by (session id, attribute name), so a delta writes only the attributes
 * that changed. Every write is one transaction that first locks the session row ({@code SELECT ...
 * FOR UPDATE}) and skips a record older than the stored version (a late write from a former owner
 * never overwrites a newer state); rows are then written with the database's upsert (H2 {@code
 * MERGE}, PostgreSQL {@code ON CONFLICT}, MySQL {@code ON DUPLICATE KEY}) in JDBC batches.
 *
 * <p>Threading: thread-safe; each call takes a pooled connection. Failures: every method throws
 * {@link StoreException} within about the configured connection timeout plus query timeout when the
 * database is down or slow; messages carry the SQL state, never a session id or value.
 */
public final class JdbcStore implements SessionStore {
  private static final System.Logger LOG = System.getLogger(JdbcStore.class.getName());
  private static final int IN_CHUNK = 500;
  static final int MAX_NAME_CHARS = 512;

  /**
   * How to reach the database.
   *
   * @param url JDBC URL; its prefix selects the dialect
   * @param user user, or null when the URL carries it
   * @param password password, or null
   * @param schema table and column names
   * @param poolSize connections in the pool (1 to 64)
   * @param connectTimeout how long to wait for a connection before failing (at least 250 ms)
   * @param queryTimeout how long one statement may run before failing (at least 1 s)
   */
  public record Settings(
      String url,
      String user,
      String password,
      Schema schema,
      int poolSize,
      Duration connectTimeout,
      Duration queryTimeout) {
    public Settings {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(schema, "schema");
      if (Dialect.forUrl(url) == null) {
        throw new IllegalArgumentException(
            "store: unsupported JDBC URL '"
                + scheme(url)
                + "' — use jdbc:h2:, jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:");
      }
      if (poolSize < 1 || poolSize > 64) {
        throw new IllegalArgumentException(
            "store: cohort.poolSize " + poolSize + " is out of range — use 1 to 64");
      }
      if (connectTimeout.toMillis() < 250) {
        throw new IllegalArgumentException(
            "store: cohort.connectTimeoutMs " + connectTimeout.toMillis() + " is under 250 ms");
      }
      if (queryTimeout.getSeconds() < 1) {
        throw new IllegalArgumentException(
            "store: cohort.queryTimeoutSeconds " + queryTimeout.getSeconds() + " is under 1");
      }
    }

    /** Defaults: {@link Schema#DEFAULT}, 4 connections, 3 s to connect, 10 s per query. */
    public static Settings of(String url, String user, String password) {
      return new Settings(
          url, user, password, Schema.DEFAULT, 4, Duration.ofSeconds(3), Duration.ofSeconds(10));
    }
  }

  private final DataSource dataSource;
  private final AutoCloseable pool;
  private final Dialect dialect;
  private final Schema schema;
  private final int queryTimeoutSeconds;
  private final JdbcSql sql;
  private volatile boolean closed;

  private JdbcStore(
      DataSource dataSource,
      AutoCloseable pool,
      Dialect dialect,
      Schema schema,
      int queryTimeoutSeconds) {
    this.dataSource = dataSource;
    this.pool = pool;
    this.dialect = dialect;
    this.schema = schema;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.sql = new JdbcSql(dialect, schema);
  }

  /**
   * Opens a pool, creates the tables if they are missing and returns the store.
   *
   * @throws StoreException when the database cannot be reached or the tables cannot be created
   */
  public static JdbcStore open(Settings settings) {
    Dialect dialect = Dialect.forUrl(settings.url());
    requireOnClassPath(dialect, settings.url());
    DataSource pool;
    try {
      pool = HikariPools.open(withDefaults(dialect, settings), settings, dialect);
    } catch (RuntimeException e) {
      throw new StoreException(
          "store: cannot open "
              + dialect.displayName()
              + " pool: "
              + describe(e)
              + " — check the URL, the credentials and that the database is running",
          sanitized(e));
    }
    AutoCloseable closer = (AutoCloseable) pool;
    JdbcStore store =
        new JdbcStore(
            pool, closer, dialect, settings.schema(), (int) settings.queryTimeout().toSeconds());
    try {
      store.createTablesIfMissing();
    } catch (RuntimeException e) {
      try {
        closer.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return store;
  }

  /**
   * HikariCP and the database's JDBC driver are optional dependencies of cohort-store (the {@code
   * -all} jar for Tomcat and the cohort command bundle them; an application that uses a JDBC store
   * adds them): a missing one fails here, naming what to add, before any pool is built.
   */
  static void requireOnClassPath(Dialect dialect, String url) {
    ClassLoader loader = JdbcStore.class.getClassLoader();
    try {
      Class.forName("com.zaxxer.hikari.HikariDataSource", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new StoreException(
          "store: "
              + scheme(url)
              + " stores need the HikariCP connection pool, which is not on the class path"
              + " — add HikariCP, the dependency com.zaxxer:HikariCP");
    }
    try {
      java.sql.DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw new StoreException(
          "store: no JDBC driver for "
              + scheme(url)
              + " on the class path — add "
              + dialect.driverHint(url));
    }
  }

  /** A store on a caller-provided data source (tests wrap one to inject faults). */
  static JdbcStore on(DataSource dataSource, Dialect dialect, Schema schema, int queryTimeout) {
    JdbcStore store = new JdbcStore(dataSource, () -> {}, dialect, schema, queryTimeout);
    store.createTablesIfMissing();
    return store;
  }

  /** The URL up to its second colon ("jdbc:h2"), never the credentials in it. */
  static String scheme(String url) {
    int first = url.indexOf(':');
    int second = first < 0 ? -1 : url.indexOf(':', first + 1);
    String s = second < 0 ? url : url.substring(0, second);
    return s.length() > 20 ? s.substring(0, 20) + "..." : s;
  }

  private static String withDefaults(Dialect dialect, Settings settings) {
    String url = settings.url();
    if (dialect == Dialect.H2) {
      String u = url.toUpperCase(java.util.Locale.ROOT);
      if (!u.contains(";DB_CLOSE_ON_EXIT=")) {
        url += ";DB_CLOSE_ON_EXIT=FALSE"; // close() flushes queued writes first, then closes
      }
      if (!u.contains(";LOCK_TIMEOUT=")) {
        url += ";LOCK_TIMEOUT=" + settings.queryTimeout().toMillis();
      }
    }
    return url;
  }

  // ---------------------------------------------------------------------------------- reads

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.check(id);
    return call(
        "load",
        1,
        c -> {
          // one snapshot for the row and its attributes, so a concurrent write is seen whole
          c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
          SessionRecord r = null;
          try (PreparedStatement ps = prepare(c, sql.selectSession)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                Map<String, byte[]> notes = decodeNotes(rs.getBytes(8));
                Map<String, byte[]> attributes = new HashMap<>();
                try (PreparedStatement pa = prepare(c, sql.selectAttributes)) {
                  pa.setString(1, id);
                  try (ResultSet ra = pa.executeQuery()) {
                    while (ra.next()) {
                      attributes.put(ra.getString(1), ra.getBytes(2));
                    }
                  }
                }
                r =
                    new SessionRecord(
                        id,
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getInt(4),
                        rs.getBoolean(5),
                        rs.getString(6),
                        rs.getBytes(7),
                        notes,
                        attributes);
              }
            }
          }
          c.commit();
          c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
          return Optional.ofNullable(r);
        });
  }

  @Override
  public List<String> findExpired(long nowMillis, int limit) {
    checkLimit(limit);
    return call(
        "findExpired",
        limit,
        c -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement ps = prepare(c, sql.selectExpired)) {
            ps.setMaxRows(limit);
            ps.setLong(1, nowMillis);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next() && ids.size() < limit) {
                ids.add(rs.getString(1));
              }
            }
          }
          c.commit();
          return ids;
        });
  }

  @Override
  public List<String> ids() {
    return call(
        "ids",
        0,
        c -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement ps = prepare(c, sql.selectIds)) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getString(1));
              }
            }
          }
          c.commit();
          return ids;
        });
  }

  // --------------------------------------------------------------------------------- writes

  @Override
  public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
    writeAll(List.of(PendingWrite.save(record, changed, removed, full)));
  }

  @Override
  public void delete(String id) {
    writeAll(List.of(PendingWrite.delete(SessionIds.check(id))));
  }

  /**
   * Writes several sessions in one transaction (at most one write per id; {@link QueuedStore}
   * coalesces before calling). All or nothing.
   */
  void writeAll(List<PendingWrite> writes) {
    if (writes.isEmpty()) {
      return;
    }
    Map<String, PendingWrite> byId = new TreeMap<>(); // sorted: rows are locked in one order
    for (PendingWrite w : writes) {
      SessionIds.check(w.id());
      if (w.record() != null) {
        for (String name : w.record().attributes().keySet()) {
          checkName(name);
        }
      }
      if (byId.put(w.id(), w) != null) {
        throw new IllegalArgumentException("store: two writes for one session in one batch");
      }
    }
    call(
        "save",
        byId.size(),
        c -> {
          new WriteBatch(c, byId).run();
          c.commit();
          return null;
        });
  }

  /** One transaction's worth of writes; see the class comment for the order of statements. */
  private final class WriteBatch {
    private final Connection c;
    private final Map<String, PendingWrite> byId;

    WriteBatch(Connection c, Map<String, PendingWrite> byId) {
      this.c = c;
      this.byId = byId;
    }

    void run() throws SQLException {
      Map<String, Long> stored = lockVersions();
      List<String> deletes = new ArrayList<>();
      List<PendingWrite> saves = new ArrayList<>();
      List<String> rewrites = new ArrayList<>();
      for (PendingWrite w : byId.values()) {
        if (w.isDelete() || w.deleteFirst()) {
          deletes.add(w.id());
        }
        if (w.isDelete()) {
          continue;
        }
        Long version = w.deleteFirst() ? null : stored.get(w.id());
        if (version != null && version > w.record().version()) {
          LOG.log(System.Logger.Level.DEBUG, "store: skipped a write older than the stored one");
          continue;
        }
        saves.add(w);
        if (w.full() || version == null) {
          rewrites.add(w.id());
        }
      }
      List<String> clearAttributes = new ArrayList<>(deletes);
      clearAttributes.addAll(rewrites);
      batchIds(sql.deleteSession, deletes);
      batchIds(sql.deleteAllAttributes, clearAttributes);
      upsertSessions(saves);
      writeAttributes(saves, Set.copyOf(rewrites));
    }

    private Map<String, Long> lockVersions() throws SQLException {
      Map<String, Long> versions = new HashMap<>();
      List<String> ids = new ArrayList<>(byId.keySet());
      for (int from = 0; from < ids.size(); from += IN_CHUNK) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
        try (PreparedStatement ps = prepare(c, sql.lockVersions(chunk.size()))) {
          for (int i = 0; i < chunk.size(); i++) {
            ps.setString(i + 1, chunk.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              versions.put(rs.getString(1), rs.getLong(2));
            }
          }
        }
      }
      return versions;
    }

    private void batchIds(String statement, List<String> ids) throws SQLException {
      if (ids.isEmpty()) {
        return;
      }
      try (PreparedStatement ps = prepare(c, statement)) {
        for (String id : ids) {
          ps.setString(1, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }

    private void upsertSessions(List<PendingWrite> saves) throws SQLException {
      if (saves.isEmpty()) {
        return;
      }
      try (PreparedStatement ps = prepare(c, sql.upsertSession)) {
        for (PendingWrite w : saves) {
          SessionRecord r = w.record();
          ps.setString(1, r.id());
          ps.setLong(2, r.version());
          ps.setLong(3, r.creationTime());
          ps.setLong(4, r.lastAccessedTime());
          ps.setInt(5, r.maxInactiveSeconds());
          ps.setLong(6, expiresAt(r));
          ps.setBoolean(7, r.isNew());
          ps.setString(8, r.authType());
          ps.setBytes(9, r.principal());
          ps.setBytes(10, RecordFormat.encodeMap(r.notes()));
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }

    private void writeAttributes(List<PendingWrite> saves, Set<String> rewrites)
        throws SQLException {
      try (PreparedStatement upsert = prepare(c, sql.upsertAttribute);
          PreparedStatement remove = prepare(c, sql.deleteAttribute)) {
        int upserts = 0;
        int removes = 0;
        for (PendingWrite w : saves) {
          Map<String, byte[]> attributes = w.record().attributes();
          boolean all = rewrites.contains(w.id());
          Iterable<String> names = all ? attributes.keySet() : w.changed();
          for (String name : names) {
            byte[] value = attributes.get(name);
            if (value == null) {
              if (!all) {
                remove.setString(1, w.id());
                remove.setString(2, name);
                remove.addBatch();
                removes++;
              }
              continue;
            }
            upsert.setString(1, w.id());
            upsert.setString(2, name);
            upsert.setBytes(3, value);
            upsert.addBatch();
            upserts++;
          }
          if (!all) {
            for (String name : w.removed()) {
              if (!attributes.containsKey(name)) {
                remove.setString(1, w.id());
                remove.setString(2, name);
                remove.addBatch();
                removes++;
              }
            }
          }
        }
        if (removes > 0) {
          remove.executeBatch();
        }
        if (upserts > 0) {
          upsert.executeBatch();
        }
      }
    }
  }

  // -------------------------------------------------------------------------------- expiry

  /**
   * Deletes up to {@code limit} sessions that are expired at {@code nowMillis} and returns how many
   * this call deleted. Safe to call from several nodes at once: each expired row is deleted by
   * exactly one caller (PostgreSQL: {@code FOR UPDATE SKIP LOCKED}, so callers take disjoint rows;
   * H2 and MySQL: a conditional {@code DELETE ... WHERE expires_at <= now} per row, whose update
   * count tells who won). A session touched after it was found is not deleted.
   */
  public int deleteExpired(long nowMillis, int limit) {
    checkLimit(limit);
    return call(
        "deleteExpired",
        limit,
        c -> {
          int deleted =
              dialect == Dialect.POSTGRESQL
                  ? deleteExpiredSkipLocked(c, nowMillis, limit)
                  : deleteExpiredConditionally(c, nowMillis, limit);
          c.commit();
          return deleted;
        });
  }

  private int deleteExpiredSkipLocked(Connection c, long nowMillis, int limit) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql.deleteExpiredSkipLocked)) {
      ps.setLong(1, nowMillis);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private int deleteExpiredConditionally(Connection c, long nowMillis, int limit)
      throws SQLException {
    List<String> candidates = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, sql.selectExpired)) {
      ps.setMaxRows(limit);
      ps.setLong(1, nowMillis);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && candidates.size() < limit) {
          candidates.add(rs.getString(1));
        }
      }
    }
    List<String> won = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, sql.deleteIfExpired)) {
      for (String id : candidates) {
        ps.setString(1, id);
        ps.setLong(2, nowMillis);
        if (ps.executeUpdate() == 1) {
          won.add(id);
        }
      }
    }
    if (!won.isEmpty()) {
      try (PreparedStatement ps = prepare(c, sql.deleteAllAttributes)) {
        for (String id : won) {
          ps.setString(1, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    return won.size();
  }

  // ------------------------------------------------------------------------------- plumbing

  private void createTablesIfMissing() {
    call(
        "create tables",
        0,
        c -> {
          try (Statement s = c.createStatement()) {
            s.setQueryTimeout(queryTimeoutSeconds);
            for (String ddl : sql.createTables()) {
              s.execute(ddl);
            }
          }
          c.commit();
          return null;
        });
  }

  @Override
  public void close() {
    closed = true;
    try {
      pool.close();
    } catch (Exception e) {
      throw new StoreException("store: closing the pool failed: " + describe(e), sanitized(e));
    }
  }

  @Override
  public String toString() {
    return "jdbc store (" + dialect.displayName() + ", table " + schema.sessionTable() + ")";
  }

  static long expiresAt(SessionRecord r) {
    if (r.maxInactiveSeconds() <= 0) {
      return Long.MAX_VALUE;
    }
    return r.lastAccessedTime() + r.maxInactiveSeconds() * 1000L;
  }

  private PreparedStatement prepare(Connection c, String statement) throws SQLException {
    PreparedStatement ps = c.prepareStatement(statement);
    ps.setQueryTimeout(queryTimeoutSeconds);
    return ps;
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T call(String what, int count, Work<T> work) {
    if (closed) {
      throw new StoreException("store: " + what + " failed: the store is closed");
    }
    try (Connection c = dataSource.getConnection()) {
      try {
        return work.run(c);
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(
          "store: "
              + what
              + " failed ["
              + dialect.displayName()
              + (count > 0 ? ", " + count + (count == 1 ? " session" : " sessions") : "")
              + "]: "
              + describe(e)
              + " — check that the database is reachable; queued writes are retried",
          sanitized(e));
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      if (!c.isClosed()) {
        c.rollback();
      }
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * An error's class, SQL state and text, credentials masked ({@link Redaction}: a driver or the
   * pool may quote the URL). The text is left out for data and constraint errors (SQLState classes
   * 22 and 23) and for batch errors, whose messages can quote the row's values, such as a session
   * id.
   */
  static String describe(Throwable e) {
    StringBuilder b = new StringBuilder(e.getClass().getSimpleName());
    if (e instanceof SQLException s) {
      String state = s.getSQLState() == null ? "" : s.getSQLState();
      b.append(" SQLState ").append(state).append(" code ").append(s.getErrorCode());
      if (state.startsWith("22")
          || state.startsWith("23")
          || s instanceof java.sql.BatchUpdateException) {
        // a batch error's text quotes the statement with its values (a session id)
        return b.toString();
      }
    }
    String m = Redaction.of(e.getMessage());
    if (m != null) {
      b.append(": ").append(m.length() > 300 ? m.substring(0, 300) + "..." : m);
    }
    return b.toString();
  }

  /**
   * {@code e} and its causes as {@link DriverError}s: the same classes (by name), SQL states and
   * stack traces, each message as {@link #describe} gives it. A StoreException carries this chain
   * instead of the driver's own, because whoever logs the exception logs its causes, and their
   * messages can quote the URL with its credentials.
   */
  static Throwable sanitized(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null && chain.size() < 16 && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    Throwable copy = null;
    for (int i = chain.size() - 1; i >= 0; i--) {
      Throwable t = chain.get(i);
      copy = new DriverError(describe(t), copy, t.getStackTrace());
    }
    return copy;
  }

  /** A driver's or the pool's exception, its message passed through {@link #describe}. */
  static final class DriverError extends Exception {
    private static final long serialVersionUID = 1L;

    DriverError(String message, Throwable cause, StackTraceElement[] trace) {
      super(message, cause, false, true);
      setStackTrace(trace);
    }
  }

  private static Map<String, byte[]> decodeNotes(byte[] data) throws SQLException {
    if (data == null) {
      return Map.of();
    }
    try {
      return RecordFormat.decodeMap(data);
    } catch (RecordFormat.MalformedRecordException e) {
      throw new SQLException("stored notes are malformed: " + e.getMessage(), "22000");
    }
  }

  private static void checkName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
      throw new IllegalArgumentException(
          "store: attribute name of "
              + name.length()
              + " characters is outside 1 to "
              + MAX_NAME_CHARS
              + " — use a shorter name");
    }
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("store: limit " + limit + " must be at least 1");
    }
  }
}
