package dev.cohort.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Table and column names of a {@link JdbcStore}; the defaults are documented in docs/stores.md.
 * Every name is validated as a plain SQL identifier (letters, digits, underscore; a table may be
 * schema-qualified), so names can be put into SQL text safely.
 *
 * <p>Logical column names (the keys of {@link #columns()}): session table {@code session_id,
 * version, created_at, last_access, max_inactive, expires_at, is_new, auth_type, principal, notes};
 * attribute table {@code attr_session_id, attr_name, attr_value}.
 *
 * @param sessionTable one row per session
 * @param attributeTable one row per (session, attribute name)
 * @param columns logical column name to the name in the database
 */
public record Schema(String sessionTable, String attributeTable, Map<String, String> columns) {

  private static final Pattern TABLE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private static final Map<String, String> DEFAULT_COLUMNS = defaultColumns();

  /** {@code cohort_sessions} and {@code cohort_session_attributes} with the default columns. */
  public static final Schema DEFAULT =
      new Schema("cohort_sessions", "cohort_session_attributes", DEFAULT_COLUMNS);

  public Schema {
    check("sessionTable", sessionTable, TABLE);
    check("attributeTable", attributeTable, TABLE);
    if (sessionTable.equalsIgnoreCase(attributeTable)) {
      throw new IllegalArgumentException(
          "store: sessionTable and attributeTable are both '"
              + sessionTable
              + "' — give the attribute table its own name");
    }
    Map<String, String> merged = new LinkedHashMap<>(DEFAULT_COLUMNS);
    for (Map.Entry<String, String> e : columns.entrySet()) {
      if (!DEFAULT_COLUMNS.containsKey(e.getKey())) {
        throw new IllegalArgumentException(
            "store: unknown column '"
                + e.getKey()
                + "' — known: "
                + String.join(", ", DEFAULT_COLUMNS.keySet()));
      }
      check("column " + e.getKey(), e.getValue(), COLUMN);
      merged.put(e.getKey(), e.getValue());
    }
    columns = Map.copyOf(merged);
  }

  public Schema withSessionTable(String name) {
    return new Schema(name, attributeTable, columns);
  }

  public Schema withAttributeTable(String name) {
    return new Schema(sessionTable, name, columns);
  }

  /** This schema with the logical column {@code logical} named {@code name} in the database. */
  public Schema withColumn(String logical, String name) {
    Map<String, String> c = new LinkedHashMap<>(columns);
    if (!DEFAULT_COLUMNS.containsKey(logical)) {
      throw new IllegalArgumentException(
          "store: unknown column '"
              + logical
              + "' — known: "
              + String.join(", ", DEFAULT_COLUMNS.keySet()));
    }
    c.put(logical, name);
    return new Schema(sessionTable, attributeTable, c);
  }

  /** The database name of a logical column. */
  String col(String logical) {
    String c = columns.get(logical);
    if (c == null) {
      throw new IllegalStateException("no column " + logical);
    }
    return c;
  }

  private static void check(String option, String value, Pattern p) {
    if (value == null || !p.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "store: "
              + option
              + " '"
              + value
              + "' is not a plain SQL identifier — use letters, digits and _ (at most 63)");
    }
  }

  private static Map<String, String> defaultColumns() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String c :
        new String[] {
          "session_id",
          "version",
          "created_at",
          "last_access",
          "max_inactive",
          "expires_at",
          "is_new",
          "auth_type",
          "principal",
          "notes"
        }) {
      m.put(c, c);
    }
    m.put("attr_session_id", "session_id");
    m.put("attr_name", "attr_name");
    m.put("attr_value", "attr_value");
    return m;
  }
}
