package dev.cohort.tomcat;

import dev.cohort.core.engine.OwnershipLostException;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.serial.AttributeException;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import java.io.Serializable;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Threading: like {@link StandardSession}. Concurrent requests of one session on one node share
 * this object; each request's end takes one capture ({@link #send}) of everything changed so far,
 * by any of them. A change is marked for the next capture in the same step as it is made (under the
 * session's lock, as captures are), so it is known which capture carries each request's last change
 * ({@link ReplicatedManager}): the request's outcome is that capture's. A capture goes on top of
 * the record version this object reflects ({@link SessionUpdate#baseVersion()}): when the session
 * changed elsewhere meanwhile, the engine refuses it. Once a capture was applied nowhere, every
 * later one of this object is too (they carry its changes); the manager then drops the object.
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

  /** While {@link #restore} fills the attributes: nothing is marked. */
  private transient boolean restoring;

  /**
   * The version of the engine's record this object reflects: the base of its next update ({@link
   * SessionUpdate#ANY_VERSION} until the engine knows the session). Guarded by this.
   */
  private transient long base = SessionUpdate.ANY_VERSION;

  /**
   * Captures taken so far; a change marked now goes out with capture number {@code captures + 1}.
   */
  private transient long captures;

  /**
   * The first capture that was applied nowhere ({@link Long#MAX_VALUE}: none). Lock-free: commits
   * end on engine threads that may hold the engine's locks.
   */
  private final transient AtomicLong lostFrom = new AtomicLong(Long.MAX_VALUE);

  /** The outcomes of captures whose commit has not ended yet: true when applied. */
  private final transient Map<Long, CompletableFuture<Boolean>> open = new ConcurrentHashMap<>();

  private transient Principal sentPrincipal;
  private transient byte[] sentPrincipalBytes;

  public ReplicatedSession(Manager manager) {
    super(manager);
    attributes = new Attributes();
  }

  /**
   * The attribute map: Tomcat's {@code setAttribute} and {@code removeAttribute} change it through
   * {@code put} and {@code remove}, and here the change is marked for the next capture in the same
   * step, under the session's lock, so no capture can take the value without its mark or the mark
   * without the value.
   */
  private final class Attributes extends ConcurrentHashMap<String, Object> {
    private static final long serialVersionUID = 1L;

    @Override
    public Object put(String name, Object value) {
      synchronized (ReplicatedSession.this) {
        Object old = super.put(name, value);
        if (!restoring) {
          if (exclude(name, value)) {
            local.add(name);
            touched.remove(name);
            removed.add(name); // a value of that name set before (or elsewhere) leaves the cluster
          } else {
            local.remove(name);
            removed.remove(name);
            touched.add(name);
          }
          changed();
        }
        return old;
      }
    }

    @Override
    public Object remove(Object name) {
      synchronized (ReplicatedSession.this) {
        Object old = super.remove(name);
        if (!restoring && name instanceof String n) {
          local.remove(n);
          if (!expiring) {
            touched.remove(n);
            removed.add(n);
            if (old != null) {
              changed();
            }
          }
        }
        return old;
      }
    }
  }

  /**
   * This request changed the session: its change goes out with the next capture. Under the lock.
   */
  private void changed() {
    if (manager instanceof ReplicatedManager rm) {
      rm.noteChange(this, captures + 1);
    }
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
      touched.add(name); // it may be changed in place
      if (manager instanceof ReplicatedManager rm) {
        rm.noteRead(this, name);
      }
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
    super.setAttribute(name, value, notify); // marked by the attribute map
  }

  @Override
  public void setMaxInactiveInterval(int interval) {
    synchronized (this) {
      super.setMaxInactiveInterval(interval);
      if (!restoring) {
        changed();
      }
    }
  }

  @Override
  public void setPrincipal(Principal principal) {
    synchronized (this) {
      super.setPrincipal(principal);
      changed();
    }
  }

  @Override
  public void setAuthType(String authType) {
    synchronized (this) {
      super.setAuthType(authType);
      changed();
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

  /** The node stops, or the session went to the store: forget it quietly. */
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

  /** One capture handed to the engine: its number, and the commit (null: not sent, lost). */
  record Sent(long number, CompletableFuture<Void> commit) {}

  /**
   * Takes the next capture and commits it on top of the version this object reflects. Not sent when
   * an earlier capture was applied nowhere: this one carries its changes, so it is lost too.
   *
   * @param reread mutable attributes the calling request read (and may have changed in place): they
   *     go out with this capture, or null
   */
  synchronized Sent send(
      SessionEngine engine, AttributeCodec codec, AttributeCodec internal, Set<String> reread) {
    if (reread != null) {
      for (String name : reread) {
        if (!local.contains(name)) {
          touched.add(name);
        }
      }
    }
    long n = ++captures;
    if (lostFrom.get() < n) {
      return new Sent(n, null);
    }
    SessionUpdate u = capture(codec, internal);
    CompletableFuture<Void> f;
    try {
      f = engine.commit(u, v -> base = v);
    } catch (RuntimeException e) {
      // not committed (the engine is not running): applied nowhere
      f = CompletableFuture.failedFuture(new OwnershipLostException(e.toString()));
    }
    CompletableFuture<Boolean> applied =
        f.handle(
            (v, t) -> {
              Throwable c =
                  t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
              return !(c instanceof OwnershipLostException);
            });
    open.put(n, applied);
    applied.thenAccept(
        ok -> {
          if (!ok) {
            lostFrom.accumulateAndGet(n, Math::min);
          }
          open.remove(n);
        });
    return new Sent(n, f);
  }

  /**
   * Whether capture {@code n} was applied (kept at least by the owner); waits up to {@code
   * waitMillis} for one whose commit has not ended (then counts it applied: the engine bounds its
   * own waits, a slower end is a replication failure, not a refusal).
   */
  boolean applied(long n, long waitMillis) {
    CompletableFuture<Boolean> f = open.get(n);
    if (f != null) {
      try {
        return f.get(waitMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      } catch (ExecutionException | TimeoutException e) {
        return true;
      }
    }
    return n < lostFrom.get();
  }

  /** The id changed in the engine (one version up, when this object was current). */
  synchronized void idChanged() {
    if (base != SessionUpdate.ANY_VERSION) {
      base++;
    }
  }

  /**
   * What this unit of work did: attributes set or read (serialized now), removed, metadata and the
   * replicated notes. Clears the capture state. An attribute that no longer serializes (an in-place
   * change put a non-serializable object inside it) is logged and left out.
   */
  synchronized SessionUpdate capture(AttributeCodec codec, AttributeCodec internal) {
    Map<String, byte[]> values = new HashMap<>();
    for (String name : touched) {
      touched.remove(name); // a mark added meanwhile (a read) stays for the next capture
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
        SessionNotes.capture(this, internal),
        created ? SessionUpdate.ANY_VERSION : base);
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
    this.base = r.version();
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
    restoring = true;
    try {
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
    } finally {
      restoring = false;
    }
    quietNotes = true;
    try {
      SessionNotes.restore(this, r.notes(), internal, loader);
    } finally {
      quietNotes = false;
    }
  }
}
