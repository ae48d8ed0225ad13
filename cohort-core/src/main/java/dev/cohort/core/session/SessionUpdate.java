package dev.cohort.core.session;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one unit of work (one request) did to a session, as the container adapter captured it. The
 * engine compares it with the owner's record and replicates only real changes: an attribute in
 * {@code touched} whose bytes equal the stored bytes ships nothing, so the adapter passes every
 * attribute that was set <em>or read</em> (in-place mutation is then detected).
 *
 * @param id the session id without the route suffix
 * @param created true for the first update of a session created in this unit of work
 * @param creationTime epoch millis
 * @param lastAccessedTime epoch millis
 * @param maxInactiveSeconds the current max inactive interval
 * @param isNew the Servlet {@code isNew()} flag
 * @param authType the authentication type, or null
 * @param principal the serialized principal, or null
 * @param touched attributes set or read in this unit of work, serialized at its end
 * @param removed attributes removed in this unit of work (and not set again after)
 * @param notes the full current set of replicated notes, serialized
 * @param baseVersion the version of the record the adapter's copy of the session reflects (the
 *     version {@code acquire} returned, or the one its last commit left the session at): the engine
 *     applies the update only on top of exactly that version, so a copy that another member's
 *     changes overtook never overwrites them; {@link #ANY_VERSION} applies it on top of whatever
 *     the owner holds (a created session, or a caller that does not track versions)
 */
public record SessionUpdate(
    String id,
    boolean created,
    long creationTime,
    long lastAccessedTime,
    int maxInactiveSeconds,
    boolean isNew,
    String authType,
    byte[] principal,
    Map<String, byte[]> touched,
    Set<String> removed,
    Map<String, byte[]> notes,
    long baseVersion) {

  /** No base version: the update applies on top of whatever the owner holds. */
  public static final long ANY_VERSION = -1;

  public SessionUpdate {
    Objects.requireNonNull(id, "id");
    touched = Map.copyOf(touched);
    removed = Set.copyOf(removed);
    notes = Map.copyOf(notes);
    if (baseVersion < ANY_VERSION) {
      throw new IllegalArgumentException("baseVersion " + baseVersion + " (use ANY_VERSION)");
    }
  }

  /** An update with no base version ({@link #ANY_VERSION}). */
  public SessionUpdate(
      String id,
      boolean created,
      long creationTime,
      long lastAccessedTime,
      int maxInactiveSeconds,
      boolean isNew,
      String authType,
      byte[] principal,
      Map<String, byte[]> touched,
      Set<String> removed,
      Map<String, byte[]> notes) {
    this(
        id,
        created,
        creationTime,
        lastAccessedTime,
        maxInactiveSeconds,
        isNew,
        authType,
        principal,
        touched,
        removed,
        notes,
        ANY_VERSION);
  }

  @Override
  public String toString() {
    return "SessionUpdate[" + touched.size() + " touched, " + removed.size() + " removed]";
  }
}
