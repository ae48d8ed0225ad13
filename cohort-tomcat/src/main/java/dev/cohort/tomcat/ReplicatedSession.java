package dev.cohort.tomcat;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.serial.AttributeException;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import java.io.Serializable;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.catalina.Manager;
import org.apache.catalina.session.StandardSession;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * A Tomcat session whose changes are captured for replication: attributes set, removed <em>and
 * read</em> during a request (so in-place mutation is detected by the engine's byte comparison),
 * metadata, and the FORM-login notes. {@link #capture} turns them into one {@link SessionUpdate} at
 * the end of a request.
 *
 * <p>Attributes the manager's filters exclude (Tomcat's {@code sessionAttributeNameFilter} and
 * {@code sessionAttributeValueClassNameFilter}, through {@link #exclude}) are kept on this node
 * only: never captured, so neither replicated nor stored, and a value that is not serializable is
 * accepted for them. Setting one removes a replicated value of the same name from the cluster; it
 * is gone after a take-over by another node, as after a swap-out.
 *
 * <p>Threading: like {@link StandardSession}; {@link #capture} is synchronized on the session, so
 * concurrent requests for one session on one node are serialized at capture.
 */
public class ReplicatedSession extends StandardSession {
  private static final long serialVersionUID = 1L;
  private static final Log log = LogFactory.getLog(ReplicatedSession.class);

  private final transient Set<String> touched = ConcurrentHashMap.newKeySet();
  private final transient Set<String> removed = ConcurrentHashMap.newKeySet();

  /** Attributes the manager's filters keep on this node: never captured. */
  private final transient Set<String> local = ConcurrentHashMap.newKeySet();

  /** True until the engine knows this session (its first commit). */
  private transient volatile boolean unsent = true;

  /** True while the engine itself expires or drops this session: nothing is sent back. */
  private transient volatile boolean engineDriven;

  private transient volatile boolean quietNotes;
  private transient Principal sentPrincipal;
  private transient byte[] sentPrincipalBytes;

  public ReplicatedSession(Manager manager) {
    super(manager);
  }

  private ReplicatedManager replicatedManager() {
    return (ReplicatedManager) manager;
  }

  /** The session id without the {@code .route} suffix: the engine's id. */
  public String baseId() {
    return SessionIds.base(getIdInternal());
  }

  @Override
  public Object getAttribute(String name) {
    Object value = super.getAttribute(name);
    if (value != null && !isImmutable(value) && !local.contains(name)) {
      touched.add(name);
    }
    return value;
  }

  /**
   * As Tomcat's: a value that is not serializable is refused at once (the codec's message names the
   * attribute, the class and what to do), unless the manager's filters keep the attribute local.
   */
  @Override
  public void setAttribute(String name, Object value, boolean notify) {
    boolean keptLocal = value != null && name != null && exclude(name, value);
    if (value != null && !keptLocal && !(value instanceof Serializable)) {
      replicatedManager().codec().serialize(name, value);
    }
    super.setAttribute(name, value, notify);
    if (value == null) {
      return;
    }
    if (keptLocal) {
      local.add(name);
      touched.remove(name);
      removed.add(name); // a value of that name set before (or elsewhere) leaves the cluster
    } else {
      local.remove(name);
      removed.remove(name);
      touched.add(name);
    }
  }

  @Override
  public void removeAttribute(String name, boolean notify) {
    super.removeAttribute(name, notify);
    local.remove(name);
    if (!expiring) {
      touched.remove(name);
      removed.add(name);
    }
  }

  @Override
  public void expire(boolean notify) {
    boolean wasValid;
    synchronized (this) {
      wasValid = isValid && !expiring;
    }
    super.expire(notify);
    if (wasValid && !engineDriven && !unsent && manager instanceof ReplicatedManager rm) {
      rm.invalidateEverywhere(baseId());
    }
  }

  /**
   * The FORM-login notes are replicated (and, in sync mode, acknowledged) the moment they are set:
   * FormAuthenticator sends the login page with {@code Response.finishResponse()}, past any
   * response wrapper, before the request-end valve could replicate.
   */
  @Override
  public void setNote(String name, Object value) {
    super.setNote(name, value);
    if (!quietNotes
        && SessionNotes.REPLICATED.contains(name)
        && manager instanceof ReplicatedManager rm) {
      rm.replicate(this);
    }
  }

  /** Sets a note without replicating it now (restoring a record, renaming after a take-over). */
  void setNoteQuietly(String name, Object value) {
    quietNotes = true;
    try {
      setNote(name, value);
    } finally {
      quietNotes = false;
    }
  }

  /** The engine expired this session (owner or caretaker): fire the listeners, send nothing. */
  void expireFromEngine() {
    engineDriven = true;
    expire(true);
  }

  /** Another member owns the session now, or it was invalidated there: forget it quietly. */
  void discard() {
    engineDriven = true;
    isValid = false;
  }

  boolean isUnsent() {
    return unsent;
  }

  private static boolean isImmutable(Object v) {
    return v instanceof String
        || v instanceof Number && v.getClass().getName().startsWith("java.lang.")
        || v instanceof Boolean
        || v instanceof Character
        || v instanceof Enum<?>;
  }

  /**
   * What this unit of work did: attributes set or read (serialized now), removed, metadata and the
   * replicated notes. Clears the capture state. An attribute that no longer serializes (an in-place
   * change put a non-serializable object inside it) is logged and left out.
   */
  synchronized SessionUpdate capture(AttributeCodec codec, AttributeCodec internal) {
    Map<String, byte[]> values = new HashMap<>();
    for (String name : touched) {
      Object v = attributes.get(name);
      if (v == null || local.contains(name)) {
        continue;
      }
      try {
        values.put(name, codec.serialize(name, v));
      } catch (AttributeException e) {
        log.error("replication of one attribute skipped: " + e.getMessage());
      }
    }
    touched.clear();
    Set<String> gone = Set.copyOf(removed);
    removed.clear();
    boolean created = unsent;
    unsent = false;
    return new SessionUpdate(
        baseId(),
        created,
        creationTime,
        thisAccessedTime,
        maxInactiveInterval,
        isNew,
        authType,
        principalBytes(internal),
        values,
        gone,
        SessionNotes.capture(this, internal));
  }

  private byte[] principalBytes(AttributeCodec internal) {
    Principal p = principal;
    if (p == null) {
      return null;
    }
    if (p != sentPrincipal) {
      try {
        sentPrincipalBytes = internal.serialize("(principal)", p);
      } catch (AttributeException e) {
        log.error("replication of the principal skipped: " + e.getMessage());
        sentPrincipalBytes = null;
      }
      sentPrincipal = p;
    }
    return sentPrincipalBytes;
  }

  /**
   * Fills this new, unregistered session from a replicated record under {@code fullId}. Attributes
   * that cannot be read here are dropped with an error naming the attribute and class; attributes
   * this node's filters exclude are dropped too (as Tomcat does when it reads a session), and
   * removed from the record by the next change.
   */
  void restore(
      String fullId,
      SessionRecord r,
      AttributeCodec codec,
      AttributeCodec internal,
      ClassLoader loader) {
    this.id = fullId;
    this.creationTime = r.creationTime();
    this.lastAccessedTime = r.lastAccessedTime();
    this.thisAccessedTime = r.lastAccessedTime();
    this.maxInactiveInterval = r.maxInactiveSeconds();
    this.isNew = r.isNew();
    this.authType = r.authType();
    this.isValid = true;
    this.unsent = false;
    if (r.principal() != null) {
      try {
        Object p = internal.deserialize("(principal)", r.principal(), loader);
        if (p instanceof Principal principal) {
          this.principal = principal;
          this.sentPrincipal = principal;
          this.sentPrincipalBytes = r.principal();
        }
      } catch (AttributeException e) {
        log.error("the session's principal was dropped on take-over: " + e.getMessage());
      }
    }
    for (Map.Entry<String, byte[]> e : r.attributes().entrySet()) {
      try {
        Object v = codec.deserialize(e.getKey(), e.getValue(), loader);
        if (v != null && exclude(e.getKey(), v)) {
          removed.add(e.getKey());
        } else if (v != null) {
          attributes.put(e.getKey(), v);
        }
      } catch (AttributeException ex) {
        log.error("attribute dropped on take-over: " + ex.getMessage());
      }
    }
    quietNotes = true;
    try {
      SessionNotes.restore(this, r.notes(), internal, loader);
    } finally {
      quietNotes = false;
    }
  }
}
