package dev.cohort.store;

import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opens a {@link SessionStore} from a one-line spec, as given to {@code --store} or {@code
 * server.xml}:
 *
 * <ul>
 *   <li>{@code jdbc:h2:file:/path/db} — H2 embedded (the default store), one process per file
 *   <li>{@code jdbc:postgresql://host:port/db?user=u&password=p}
 *   <li>{@code jdbc:mariadb://...} or {@code jdbc:mysql://...} (the driver must be on the class
 *       path; Cohort does not ship it)
 *   <li>{@code file:/path/dir} — one file per session
 * </ul>
 *
 * JDBC specs accept Cohort options in the query string, removed before the URL reaches the driver:
 * {@code cohort.sessionTable}, {@code cohort.attributeTable}, {@code
 * cohort.column.<logical>=<name>}, {@code cohort.poolSize}, {@code cohort.connectTimeoutMs}, {@code
 * cohort.queryTimeoutSeconds} (docs/stores.md). The returned store writes synchronously; wrap it in
 * a {@link QueuedStore} to queue writes during outages.
 */
public final class Stores {
  private static final String OPTION_PREFIX = "cohort.";

  private Stores() {}

  /**
   * Opens the store that {@code spec} names.
   *
   * @throws IllegalArgumentException for a malformed or unsupported spec; the message starts with
   *     "store: " and never repeats credentials
   * @throws dev.cohort.core.store.StoreException when the back-end cannot be reached or set up
   */
  public static SessionStore open(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "store: the store spec is empty — use jdbc:h2:file:/path/db, jdbc:postgresql://...,"
              + " jdbc:mariadb://..., jdbc:mysql://... or file:/path/dir");
    }
    String s = spec.strip();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("file:")) {
      return FileStore.open(filePath(s));
    }
    Dialect dialect = Dialect.forUrl(s);
    if (dialect == null) {
      throw new IllegalArgumentException(
          "store: unsupported store spec '"
              + JdbcStore.scheme(s)
              + "' — use jdbc:h2:file:/path/db, jdbc:postgresql://..., jdbc:mariadb://...,"
              + " jdbc:mysql://... or file:/path/dir");
    }
    if (dialect == Dialect.H2
        && !(lower.startsWith("jdbc:h2:file:") || lower.startsWith("jdbc:h2:mem:"))) {
      throw new IllegalArgumentException(
          "store: H2 is supported embedded only — use jdbc:h2:file:/path/db");
    }
    if (lower.startsWith("jdbc:h2:file:")) {
      s = durableH2(absoluteH2Path(s));
      return openH2File(h2Path(s), settings(s, dialect));
    }
    return JdbcStore.open(settings(s, dialect));
  }

  /**
   * Opens an H2 file database: its directory, when missing, is created readable by its owner only,
   * and so are the database's files once H2 has created them.
   */
  private static SessionStore openH2File(Path db, JdbcStore.Settings settings) {
    Path dir = db.getParent();
    try {
      if (dir != null) {
        OwnerOnly.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new StoreException(
          "store: cannot create directory " + dir + ": " + e + " — check the path and permissions",
          e);
    }
    JdbcStore store = JdbcStore.open(settings);
    String prefix = db.getFileName() + ".";
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir == null ? Path.of(".") : dir, prefix + "*")) {
      for (Path f : files) {
        OwnerOnly.restrict(f);
      }
    } catch (IOException e) {
      store.close();
      throw new StoreException(
          "store: cannot make " + db + "'s files readable by their owner only: " + e, e);
    }
    return store;
  }

  /** Where an H2 path ends and its options ({@code ;...} or {@code ?...}) begin. */
  private static int optionsStart(String rest) {
    int end = rest.length();
    for (char c : new char[] {';', '?'}) {
      int i = rest.indexOf(c);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    return end;
  }

  /** The database path of an absolute {@code jdbc:h2:file:} spec (options cut off). */
  static Path h2Path(String spec) {
    String rest = spec.substring("jdbc:h2:file:".length());
    String path = rest.substring(0, optionsStart(rest));
    return path.startsWith("~")
        ? Path.of(System.getProperty("user.home") + path.substring(1))
        : Path.of(path);
  }

  /** H2 2.x refuses implicit relative paths; {@code jdbc:h2:file:data/db} means ./data/db here. */
  static String absoluteH2Path(String spec) {
    String rest = spec.substring("jdbc:h2:file:".length());
    int end = optionsStart(rest);
    String path = rest.substring(0, end);
    if (path.isEmpty()) {
      throw new IllegalArgumentException(
          "store: jdbc:h2:file: needs a path — use jdbc:h2:file:/path/db");
    }
    if (path.startsWith("~") || Path.of(path).isAbsolute()) {
      return spec;
    }
    return "jdbc:h2:file:" + Path.of(path).toAbsolutePath().normalize() + rest.substring(end);
  }

  /**
   * H2 writes committed changes to its file up to {@code WRITE_DELAY} (500 ms) later, so a killed
   * process loses the last acknowledged writes; a session store must not. Unless the spec sets
   * {@code WRITE_DELAY} itself, it becomes 0 (a commit is on disk when it returns).
   */
  static String durableH2(String spec) {
    if (spec.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=")) {
      return spec;
    }
    int q = spec.indexOf('?');
    return q < 0
        ? spec + ";WRITE_DELAY=0"
        : spec.substring(0, q) + ";WRITE_DELAY=0" + spec.substring(q);
  }

  /** The default store: H2 embedded in {@code dataDir/sessions}. */
  public static SessionStore defaultStore(Path dataDir) {
    Path db = dataDir.toAbsolutePath().normalize().resolve("sessions");
    return openH2File(
        db,
        new JdbcStore.Settings(
            durableH2("jdbc:h2:file:" + db),
            "sa",
            "",
            Schema.DEFAULT,
            4,
            Duration.ofSeconds(3),
            Duration.ofSeconds(10)));
  }

  /**
   * True when {@code id} may be given to a store: 1 to 200 characters of {@code [A-Za-z0-9_-]}.
   * Stores reject other ids with IllegalArgumentException, so an adapter checks ids that come from
   * clients first.
   */
  public static boolean isValidId(String id) {
    return SessionIds.isValid(id);
  }

  private static Path filePath(String spec) {
    String p = spec.substring("file:".length());
    if (p.startsWith("//")) {
      // file:///dir or file://localhost/dir
      int slash = p.indexOf('/', 2);
      String host = slash < 0 ? p.substring(2) : p.substring(2, slash);
      if (!host.isEmpty() && !host.equals("localhost")) {
        throw new IllegalArgumentException(
            "store: file: stores are local — use file:/path/dir (no host)");
      }
      p = slash < 0 ? "" : p.substring(slash);
    }
    if (p.isEmpty()) {
      throw new IllegalArgumentException("store: file: needs a directory — use file:/path/dir");
    }
    if (p.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("store: file: path contains NUL");
    }
    return Path.of(URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8));
  }

  static JdbcStore.Settings settings(String spec, Dialect dialect) {
    int q = spec.indexOf('?');
    Map<String, String> options = new LinkedHashMap<>();
    String url = spec;
    if (q >= 0) {
      StringBuilder kept = new StringBuilder();
      for (String pair : spec.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        if (key.startsWith(OPTION_PREFIX)) {
          String value =
              eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          options.put(key.substring(OPTION_PREFIX.length()), value);
        } else {
          kept.append(kept.length() == 0 ? "" : "&").append(pair);
        }
      }
      url = spec.substring(0, q) + (kept.length() == 0 ? "" : "?" + kept);
    }
    Schema schema = Schema.DEFAULT;
    int poolSize = 4;
    Duration connect = Duration.ofSeconds(3);
    Duration query = Duration.ofSeconds(10);
    for (Map.Entry<String, String> e : options.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      switch (key) {
        case "sessionTable" -> schema = schema.withSessionTable(value);
        case "attributeTable" -> schema = schema.withAttributeTable(value);
        case "poolSize" -> poolSize = intOption(key, value);
        case "connectTimeoutMs" -> connect = Duration.ofMillis(intOption(key, value));
        case "queryTimeoutSeconds" -> query = Duration.ofSeconds(intOption(key, value));
        default -> {
          if (key.startsWith("column.")) {
            schema = schema.withColumn(key.substring("column.".length()), value);
          } else {
            throw new IllegalArgumentException(
                "store: unknown option cohort."
                    + key
                    + " — known: "
                    + String.join(
                        ", ",
                        List.of(
                            "cohort.sessionTable",
                            "cohort.attributeTable",
                            "cohort.column.<name>",
                            "cohort.poolSize",
                            "cohort.connectTimeoutMs",
                            "cohort.queryTimeoutSeconds")));
          }
        }
      }
    }
    String user = dialect == Dialect.H2 ? "sa" : null;
    String password = dialect == Dialect.H2 ? "" : null;
    return new JdbcStore.Settings(url, user, password, schema, poolSize, connect, query);
  }

  private static int intOption(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "store: cohort." + key + " '" + value + "' is not a whole number");
    }
  }
}
