package dev.cohort.core.session;

import java.util.Map;
import java.util.Objects;

/**
 * The replicated state of one session, as every holder keeps it: metadata plus attribute values as
 * serialized bytes (replicas never deserialize them).
 *
 * <p>Immutable. Byte arrays are shared, never copied, and must not be modified by anyone after the
 * record is built.
 *
 * @param id the session id without the {@code .route} suffix
 * @param version increases by one with every replicated change; a holder never goes back
 * @param creationTime epoch millis
 * @param lastAccessedTime epoch millis of the end of the last request that used the session
 * @param maxInactiveSeconds idle time after which the session expires; {@code <= 0} never
 * @param isNew true until a request that the client joined (Servlet {@code isNew()})
 * @param authType the authentication type, or null
 * @param principal the serialized principal, or null
 * @param notes replicated session notes (FORM login state), name to serialized bytes
 * @param attributes attribute name to serialized bytes
 */
public record SessionRecord(
    String id,
    long version,
    long creationTime,
    long lastAccessedTime,
    int maxInactiveSeconds,
    boolean isNew,
    String authType,
    byte[] principal,
    Map<String, byte[]> notes,
    Map<String, byte[]> attributes) {

  public SessionRecord {
    Objects.requireNonNull(id, "id");
    notes = Map.copyOf(notes);
    attributes = Map.copyOf(attributes);
  }

  /**
   * True when the session has been idle for longer than its max inactive interval at {@code now}.
   */
  public boolean isExpired(long nowMillis) {
    return maxInactiveSeconds > 0 && nowMillis - lastAccessedTime >= maxInactiveSeconds * 1000L;
  }

  /** The serialized size of the attribute and note values, for memory accounting. */
  public long valueBytes() {
    long n = 0;
    for (byte[] b : attributes.values()) {
      n += b.length;
    }
    for (byte[] b : notes.values()) {
      n += b.length;
    }
    return n + (principal == null ? 0 : principal.length);
  }

  @Override
  public String toString() {
    // never the id or any value (DESIGN §7): counts and sizes only
    return "SessionRecord[v"
        + version
        + ", "
        + attributes.size()
        + " attributes, "
        + valueBytes()
        + " bytes]";
  }
}
