package dev.cohort.store;

import java.util.ArrayList;
import java.util.List;

/** The SQL text for one dialect and schema, built once. */
final class JdbcSql {
  final Dialect dialect;
  final Schema s;
  final String st;
  final String at;
  final String selectSession;
  final String selectAttributes;
  final String selectExpired;
  final String selectIds;
  final String upsertSession;
  final String upsertAttribute;
  final String deleteSession;
  final String deleteAllAttributes;
  final String deleteAttribute;
  final String deleteIfExpired;
  final String deleteExpiredSkipLocked;

  JdbcSql(Dialect dialect, Schema s) {
    this.dialect = dialect;
    this.s = s;
    st = s.sessionTable();
    at = s.attributeTable();
    String id = s.col("session_id");
    String aid = s.col("attr_session_id");
    selectSession =
        "SELECT "
            + String.join(
                ", ",
                s.col("version"),
                s.col("created_at"),
                s.col("last_access"),
                s.col("max_inactive"),
                s.col("is_new"),
                s.col("auth_type"),
                s.col("principal"),
                s.col("notes"))
            + " FROM "
            + st
            + " WHERE "
            + id
            + " = ?";
    selectAttributes =
        "SELECT "
            + s.col("attr_name")
            + ", "
            + s.col("attr_value")
            + " FROM "
            + at
            + " WHERE "
            + aid
            + " = ?";
    selectExpired =
        "SELECT "
            + id
            + " FROM "
            + st
            + " WHERE "
            + s.col("expires_at")
            + " <= ? ORDER BY "
            + s.col("expires_at");
    selectIds = "SELECT " + id + " FROM " + st;
    upsertSession =
        dialect.upsert(
            st,
            List.of(id),
            List.of(
                id,
                s.col("version"),
                s.col("created_at"),
                s.col("last_access"),
                s.col("max_inactive"),
                s.col("expires_at"),
                s.col("is_new"),
                s.col("auth_type"),
                s.col("principal"),
                s.col("notes")));
    upsertAttribute =
        dialect.upsert(
            at,
            List.of(aid, s.col("attr_name")),
            List.of(aid, s.col("attr_name"), s.col("attr_value")));
    deleteSession = "DELETE FROM " + st + " WHERE " + id + " = ?";
    deleteAllAttributes = "DELETE FROM " + at + " WHERE " + aid + " = ?";
    deleteAttribute =
        "DELETE FROM " + at + " WHERE " + aid + " = ? AND " + s.col("attr_name") + " = ?";
    deleteIfExpired =
        "DELETE FROM " + st + " WHERE " + id + " = ? AND " + s.col("expires_at") + " <= ?";
    deleteExpiredSkipLocked =
        "WITH d AS (DELETE FROM "
            + st
            + " WHERE "
            + id
            + " IN (SELECT "
            + id
            + " FROM "
            + st
            + " WHERE "
            + s.col("expires_at")
            + " <= ? ORDER BY "
            + s.col("expires_at")
            + " LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING "
            + id
            + "), a AS (DELETE FROM "
            + at
            + " WHERE "
            + aid
            + " IN (SELECT "
            + id
            + " FROM d)) SELECT count(*) FROM d";
  }

  String lockVersions(int n) {
    return "SELECT "
        + s.col("session_id")
        + ", "
        + s.col("version")
        + " FROM "
        + st
        + " WHERE "
        + s.col("session_id")
        + " IN ("
        + String.join(", ", java.util.Collections.nCopies(n, "?"))
        + ") ORDER BY "
        + s.col("session_id")
        + " FOR UPDATE";
  }

  List<String> createTables() {
    String blob = dialect.blobType();
    String idType = "VARCHAR(" + SessionIds.MAX_LENGTH + ")";
    String bool = dialect == Dialect.MYSQL ? "TINYINT(1)" : "BOOLEAN";
    String index = "ix_" + st.replace('.', '_') + "_expires";
    String sessions =
        "CREATE TABLE IF NOT EXISTS "
            + st
            + " ("
            + s.col("session_id")
            + " "
            + idType
            + " NOT NULL PRIMARY KEY, "
            + s.col("version")
            + " BIGINT NOT NULL, "
            + s.col("created_at")
            + " BIGINT NOT NULL, "
            + s.col("last_access")
            + " BIGINT NOT NULL, "
            + s.col("max_inactive")
            + " INT NOT NULL, "
            + s.col("expires_at")
            + " BIGINT NOT NULL, "
            + s.col("is_new")
            + " "
            + bool
            + " NOT NULL, "
            + s.col("auth_type")
            + " VARCHAR(64), "
            + s.col("principal")
            + " "
            + blob
            + ", "
            + s.col("notes")
            + " "
            + blob
            + (dialect.inlineIndex() ? ", INDEX " + index + " (" + s.col("expires_at") + ")" : "")
            + ")"
            + dialect.tableOptions();
    String attributes =
        "CREATE TABLE IF NOT EXISTS "
            + at
            + " ("
            + s.col("attr_session_id")
            + " "
            + idType
            + " NOT NULL, "
            + s.col("attr_name")
            + " VARCHAR("
            + JdbcStore.MAX_NAME_CHARS
            + ") NOT NULL, "
            + s.col("attr_value")
            + " "
            + blob
            + " NOT NULL, PRIMARY KEY ("
            + s.col("attr_session_id")
            + ", "
            + s.col("attr_name")
            + "))"
            + dialect.tableOptions();
    List<String> ddl = new ArrayList<>(List.of(sessions, attributes));
    if (!dialect.inlineIndex()) {
      ddl.add(
          "CREATE INDEX IF NOT EXISTS " + index + " ON " + st + " (" + s.col("expires_at") + ")");
    }
    return ddl;
  }
}
