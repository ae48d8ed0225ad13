package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Builders for test records. */
final class Records {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private Records() {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static SessionRecord record(String id, long version, Map<String, byte[]> attributes) {
    return new SessionRecord(
        id, version, T0, T0 + version, 1800, false, null, null, Map.of(), attributes);
  }

  static SessionRecord accessed(String id, long lastAccess, int maxInactiveSeconds) {
    return new SessionRecord(
        id,
        1,
        T0,
        lastAccess,
        maxInactiveSeconds,
        true,
        null,
        null,
        Map.of(),
        Map.of("a", bytes("1")));
  }

  static Map<String, byte[]> attrs(String... nameValue) {
    Map<String, byte[]> m = new HashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put(nameValue[i], bytes(nameValue[i + 1]));
    }
    return m;
  }

  /** Attribute values as strings, for readable assertions. */
  static Map<String, String> text(SessionRecord r) {
    Map<String, String> m = new HashMap<>();
    r.attributes().forEach((k, v) -> m.put(k, new String(v, StandardCharsets.UTF_8)));
    return m;
  }
}
