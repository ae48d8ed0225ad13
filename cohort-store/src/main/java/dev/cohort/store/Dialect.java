package dev.cohort.store;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What differs between the supported databases: types, upsert syntax, table options. */
enum Dialect {
  H2("BLOB", "MERGE INTO"),
  POSTGRESQL("BYTEA", "INSERT INTO"),
  MYSQL("LONGBLOB", "INSERT INTO");

  private final String blobType;
  private final String insertVerb;

  Dialect(String blobType, String insertVerb) {
    this.blobType = blobType;
    this.insertVerb = insertVerb;
  }

  /** The dialect for a JDBC URL, or null when Cohort does not know the database. */
  static Dialect forUrl(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (u.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
      return MYSQL;
    }
    return null;
  }

  String blobType() {
    return blobType;
  }

  /** Appended to CREATE TABLE: MySQL needs utf8mb4 and a binary (case-sensitive) collation. */
  String tableOptions() {
    return this == MYSQL ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : "";
  }

  /** MySQL has no CREATE INDEX IF NOT EXISTS, so its index goes inside CREATE TABLE. */
  boolean inlineIndex() {
    return this == MYSQL;
  }

  /** An insert-or-update of one row by its key, with one {@code ?} per column. */
  String upsert(String table, List<String> keys, List<String> columns) {
    String cols = String.join(", ", columns);
    String params = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
    List<String> others = columns.stream().filter(c -> !keys.contains(c)).toList();
    String head = insertVerb + " " + table + " (" + cols + ")";
    return switch (this) {
      case H2 -> head + " KEY (" + String.join(", ", keys) + ") VALUES (" + params + ")";
      case POSTGRESQL ->
          head
              + " VALUES ("
              + params
              + ") ON CONFLICT ("
              + String.join(", ", keys)
              + ") DO UPDATE SET "
              + others.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
      case MYSQL ->
          head
              + " VALUES ("
              + params
              + ") ON DUPLICATE KEY UPDATE "
              + others.stream()
                  .map(c -> c + " = VALUES(" + c + ")")
                  .collect(Collectors.joining(", "));
    };
  }

  String displayName() {
    return switch (this) {
      case H2 -> "H2";
      case POSTGRESQL -> "PostgreSQL";
      case MYSQL -> "MariaDB/MySQL";
    };
  }

  /** What to add when no JDBC driver accepts {@code url}: the driver's Maven coordinates. */
  String driverHint(String url) {
    return switch (this) {
      case H2 -> "H2's driver, the dependency com.h2database:h2";
      case POSTGRESQL -> "PostgreSQL's driver, the dependency org.postgresql:postgresql";
      case MYSQL ->
          url.toLowerCase(Locale.ROOT).startsWith("jdbc:mysql:")
              ? "MySQL's driver, the dependency com.mysql:mysql-connector-j"
              : "MariaDB's driver, the dependency org.mariadb.jdbc:mariadb-java-client";
    };
  }
}
