package dev.cohort.tomcat;

import dev.cohort.core.engine.LookupRefusedException;
import dev.cohort.core.engine.OwnershipLostException;
import dev.cohort.core.engine.ReplicationException;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Session;
import org.apache.catalina.authenticator.Constants;
import org.apache.catalina.session.ManagerBase;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * A Catalina {@link org.apache.catalina.Manager} whose sessions live in a Cohort {@link
 * SessionEngine}: one engine (and one cluster channel) per context. Created by {@link
 * CohortCluster} for each {@code <distributable/>} context, or configured alone in context.xml as
 * {@code <Manager className="dev.cohort.tomcat.ReplicatedManager" .../>} with the same attributes.
 *
 * <p>Local objects: a session is materialized (deserialized with the webapp class loader) only on
 * the node that serves it, i.e. its owner. {@link #findSession} of an unknown id asks the engine to
 * take ownership; when another member takes a session over, the local object is dropped quietly.
 * Expiry is the engine's: Tomcat's background expiry is replaced by {@link
 * SessionEngine#expireIdle()}, and a session's destroy listeners fire once in the cluster.
 *
 * <p>Failure modes: bad attributes fail {@link #start()} with a {@link LifecycleException} naming
 * the attribute; a replication that is not acknowledged in time is logged (never with the session
 * id) and the response is released anyway (the engine counts the session as unprotected).
 */
public class ReplicatedManager extends ManagerBase {
  private static final Log log = LogFactory.getLog(ReplicatedManager.class);

  /** ServletContext attribute holding the context's {@link SessionEngine}. */
  public static final String ENGINE_ATTRIBUTE = "dev.cohort.engine";

  final CohortSettings settings;
  private EngineFactory engineFactory = EngineFactory.jgroups();
  private volatile CohortCluster cluster;
  private volatile SessionEngine engine;
  private volatile NodeConfig config;
  private volatile AttributeCodec codec;
  private volatile AttributeCodec internalCodec;
  private volatile ReplicationValve valve;
  private boolean expireSessionsOnShutdown;
  private final Object[] stripes = new Object[64];
  private final ThreadLocal<ReplicatedSession> used = new ThreadLocal<>();

  /**
   * Within a request (between {@link #beginRequest} and {@link #endRequest}): the base id found
   * absent by this request, or {@link #NOTHING_ABSENT}; null outside a request.
   */
  private final ThreadLocal<String> absent = new ThreadLocal<>();

  private static final String NOTHING_ABSENT = "";

  /** What the current request did to the session it uses (between begin and end of a request). */
  private static final class Work {
    ReplicatedSession session;

    /** The capture that carries the request's last change; 0 when it changed nothing. */
    long lastChange;

    /** Mutable attributes it read (it may have changed them in place), or null. */
    Set<String> read;

    Work of(ReplicatedSession s) {
      if (session != s) {
        session = s;
        lastChange = 0;
        read = null;
      }
      return this;
    }
  }

  private final ThreadLocal<Work> work = new ThreadLocal<>();
  private volatile SessionIds.Shape shape;

  public ReplicatedManager() {
    this(new CohortSettings());
  }

  ReplicatedManager(CohortSettings settings) {
    this.settings = settings;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  // ---- bean attributes (context.xml); the same names as CohortCluster's ----

  public void setMode(String mode) {
    settings.mode = mode;
  }

  public void setBackups(int backups) {
    settings.backups = backups;
  }

  public void setSync(boolean sync) {
    settings.sync = sync;
  }

  public void setSyncTimeout(long ms) {
    settings.syncTimeout = ms;
  }

  public void setDiscovery(String discovery) {
    settings.discovery = discovery;
  }

  public void setBindAddress(String bindAddress) {
    settings.bindAddress = bindAddress;
  }

  public void setPort(int port) {
    settings.port = port;
  }

  public void setPortRange(int portRange) {
    settings.portRange = portRange;
  }

  public void setClusterName(String clusterName) {
    settings.clusterName = clusterName;
  }

  public void setSecret(String secret) {
    settings.secret = secret;
  }

  /** A file holding the shared secret: see {@link CohortCluster#setSecretFile}. */
  public void setSecretFile(String path) {
    settings.secretFile = path;
  }

  /** INSECURE opt-out: see {@link CohortCluster#setInsecure}. */
  public void setInsecure(boolean insecure) {
    settings.insecure = insecure;
  }

  public void setStateTransferTimeout(long ms) {
    settings.stateTransferTimeout = ms;
  }

  public void setDrainTimeout(long ms) {
    settings.drainTimeout = ms;
  }

  public void setHeartbeat(long ms) {
    settings.heartbeat = ms;
  }

  public void setDropTime(long ms) {
    settings.dropTime = ms;
  }

  public void setReplicationFilter(String regex) {
    settings.replicationFilter = regex;
  }

  public void setAllowedClasses(String commaSeparated) {
    settings.allowedClasses = commaSeparated;
  }

  public void setStore(String spec) {
    settings.store = spec;
  }

  /**
   * How many look-ups of sessions unknown to this node (a take-over: claims, then the store) may
   * run at once; a request beyond that is answered 503 with Retry-After (default 16).
   */
  public void setMaxLookups(int n) {
    settings.maxLookups = n;
  }

  /**
   * With a store: whether a response waits until the store holds the request's change (bounded by
   * the sync timeout; not during a store outage, when writes queue). Default false.
   */
  public void setStoreSync(boolean storeSync) {
    settings.storeSync = storeSync;
  }

  public boolean isStoreSync() {
    return settings.storeSync;
  }

  /**
   * Tomcat's attribute: when true, a stopping node expires (and invalidates cluster-wide) the
   * sessions it serves; by default (false) it hands them to the others.
   */
  public void setExpireSessionsOnShutdown(boolean expire) {
    this.expireSessionsOnShutdown = expire;
  }

  public boolean isExpireSessionsOnShutdown() {
    return expireSessionsOnShutdown;
  }

  /** Replaces the JGroups engine (tests, embedders). Set before start. */
  public void setEngineFactory(EngineFactory factory) {
    this.engineFactory = Objects.requireNonNull(factory, "factory");
  }

  void setCluster(CohortCluster cluster) {
    this.cluster = cluster;
  }

  /** The engine of this context; null before start and after stop. */
  public SessionEngine engine() {
    return engine;
  }

  /** The validated settings; null before start. */
  public NodeConfig config() {
    return config;
  }

  AttributeCodec codec() {
    AttributeCodec c = codec;
    return c != null ? c : AttributeCodec.defaults();
  }

  // ---- lifecycle ----

  @Override
  protected void startInternal() throws LifecycleException {
    super.startInternal();
    Context context = getContext();
    try {
      config = settings.build(nodeName(), context.getName());
      if (engineFactory == EngineFactory.jgroups()) {
        JGroupsEngineFactory.channelConfig(config);
      }
      codec =
          new AttributeCodec(config.engine().allowedClasses(), config.engine().maxSessionBytes());
      List<String> internal = new ArrayList<>(config.engine().allowedClasses());
      internal.add("org.apache.catalina.realm.*");
      internalCodec = new AttributeCodec(internal, config.engine().maxSessionBytes());
    } catch (IllegalArgumentException e) {
      throw new LifecycleException(
          "cohort: cannot start session replication of context ["
              + context.getName()
              + "]: "
              + e.getMessage(),
          e);
    }
    if (replicatesInCluster() && !context.getDistributable()) {
      log.warn(
          "cohort: context ["
              + context.getName()
              + "] uses a replicated manager but is not marked <distributable/> — check web.xml"
              + " and every web-fragment.xml; sessions are replicated anyway");
    }
    // engine threads must not hold the webapp class loader (no leak on redeploy)
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(ReplicatedManager.class.getClassLoader());
    SessionEngine e = null;
    try {
      e = engineFactory.create(config, new Events());
      e.start();
    } catch (RuntimeException ex) {
      if (e != null) {
        e.close();
      }
      throw new LifecycleException(
          "cohort: cannot join cluster ["
              + config.clusterName()
              + "] as ["
              + config.nodeName()
              + "]: "
              + ex.getMessage(),
          ex);
    } finally {
      t.setContextClassLoader(previous);
    }
    engine = e;
    shape = SessionIds.Shape.of(getSessionIdGenerator(), config.storeSpec() != null);
    context.getServletContext().setAttribute(ENGINE_ATTRIBUTE, e);
    if (cluster == null) {
      // alone in context.xml: after the context's authenticator (see docs/tomcat.md)
      valve = new ReplicationValve();
      context.getPipeline().addValve(valve);
    }
    if (replicatesInCluster()) {
      log.info(
          "cohort: context ["
              + context.getName()
              + "] replicates sessions as ["
              + config.nodeName()
              + "] in cluster ["
              + config.clusterName()
              + "], mode "
              + config.engine().mode()
              + (config.engine().sync() ? ", sync" : ", async"));
    }
    setState(LifecycleState.STARTING);
  }

  /**
   * Whether this manager's sessions go to other members (true) or only to its store ({@link
   * PersistentManager}): the start log and the {@code <distributable/>} warning say so.
   */
  boolean replicatesInCluster() {
    return true;
  }

  @Override
  protected void stopInternal() throws LifecycleException {
    setState(LifecycleState.STOPPING);
    Context context = getContext();
    if (valve != null) {
      context.getPipeline().removeValve(valve);
      valve = null;
    }
    if (expireSessionsOnShutdown) {
      for (Session s : findSessions()) {
        s.expire();
      }
    }
    SessionEngine e = engine;
    if (e != null) {
      e.close();
      engine = null;
      if (context.getServletContext() != null) {
        context.getServletContext().removeAttribute(ENGINE_ATTRIBUTE);
      }
    }
    for (Session s : findSessions()) {
      if (s instanceof ReplicatedSession rs) {
        rs.discard();
      }
      sessions.remove(s.getIdInternal());
    }
    super.stopInternal();
  }

  /** The engine's member name: the Engine's jvmRoute. */
  String nodeName() {
    return getJvmRoute();
  }

  /** Whether the valve must hold responses until {@link #replicateCurrent} finished. */
  boolean holdsResponses() {
    NodeConfig c = config;
    return c != null && (c.engine().sync() || (c.storeSpec() != null && settings.storeSync));
  }

  @Override
  public void load() {
    // the cluster (and its store) keep sessions across restarts
  }

  @Override
  public void unload() {
    // the cluster (and its store) keep sessions across restarts
  }

  // ---- sessions ----

  @Override
  public Session createEmptySession() {
    return new ReplicatedSession(this);
  }

  /**
   * A client-provided id (Tomcat reuses the requested id when another context of the host knows it)
   * is used only when this manager could have made it; otherwise the session gets a new id.
   */
  @Override
  public Session createSession(String sessionId) {
    SessionIds.Shape sh = shape;
    String id = sessionId != null && sh != null && !sh.accepts(sessionId) ? null : sessionId;
    Session s = super.createSession(id);
    if (s instanceof ReplicatedSession rs) {
      used.set(rs);
    }
    return s;
  }

  private Session used(Session s) {
    if (s instanceof ReplicatedSession rs) {
      used.set(rs);
    }
    return s;
  }

  /**
   * The local session, or the cluster's: an unknown id is acquired from the engine (this node
   * becomes its owner) and materialized under this node's route. An id this manager's generator
   * cannot have made ({@link SessionIds.Shape}) is absent at once: no claim, no store query. Within
   * one request an id found absent stays absent without asking again (Tomcat looks a requested
   * session up several times).
   *
   * @throws ReplicationException when the look-up could not be done now ({@link
   *     LookupRefusedException}: too many look-ups running; or members did not answer) — the
   *     request's valve answers 503, the session (if it exists) is untouched
   */
  @Override
  public Session findSession(String id) {
    if (id == null) {
      return null;
    }
    SessionEngine e = engine;
    Session s = sessions.get(id);
    if (s != null && stillOwned(s, e)) {
      return used(s);
    }
    SessionIds.Shape sh = shape;
    if (sh != null && !sh.accepts(id)) {
      return null;
    }
    String base = SessionIds.base(id);
    String local = SessionIds.withRoute(base, getJvmRoute());
    s = sessions.get(local);
    if (e == null || (s != null && stillOwned(s, e))) {
      return used(s);
    }
    if (base.equals(absent.get())) {
      return null;
    }
    // the look-up runs outside the stripe: a slow one (claims, the store) holds up no other session
    Session stale = s;
    Optional<SessionRecord> r = e.acquire(base, SessionIds.route(id));
    synchronized (stripes[Math.floorMod(base.hashCode(), stripes.length)]) {
      s = sessions.get(local);
      if (s != null && s != stale && stillOwned(s, e)) {
        return used(s); // a concurrent request of this node materialized it first
      }
      if (s != null) {
        // another member took the session over after this copy was made (the engine's
        // ownership-lost callback can run before a racing take-over here adds its copy): serving
        // it would change a session nobody replicates; the record just acquired replaces it
        dropLocal(base);
      }
      if (r.isPresent() && !e.owns(base)) {
        r = e.acquire(base, SessionIds.route(id)); // swapped out or taken away meanwhile: again
      }
      if (r.isEmpty()) {
        if (absent.get() != null) {
          absent.set(base);
        }
        return null;
      }
      ReplicatedSession rs = materialize(local, r.get());
      rs.activate();
      Object note = rs.getNote(Constants.SESSION_ID_NOTE);
      if (note instanceof String n && SessionIds.base(n).equals(base)) {
        rs.setNoteQuietly(Constants.SESSION_ID_NOTE, local);
      }
      return used(rs);
    }
  }

  /**
   * A local session may be served when the engine owns it, or when it was created by this request
   * and not committed yet (the engine does not know it until its first commit).
   */
  private static boolean stillOwned(Session s, SessionEngine e) {
    return e == null
        || !(s instanceof ReplicatedSession rs)
        || rs.isUnsent()
        || e.owns(SessionIds.base(s.getIdInternal()));
  }

  private ReplicatedSession materialize(String localId, SessionRecord r) {
    ReplicatedSession rs = (ReplicatedSession) createEmptySession();
    rs.restore(localId, r, codec(), internalCodec, webappLoader());
    add(rs);
    return rs;
  }

  private ClassLoader webappLoader() {
    Context c = getContext();
    if (c != null && c.getLoader() != null && c.getLoader().getClassLoader() != null) {
      return c.getLoader().getClassLoader();
    }
    return Thread.currentThread().getContextClassLoader();
  }

  @Override
  protected void changeSessionId(
      Session session,
      String newId,
      boolean notifySessionListeners,
      boolean notifyContainerListeners) {
    String oldId = session.getIdInternal();
    super.changeSessionId(session, newId, notifySessionListeners, notifyContainerListeners);
    SessionEngine e = engine;
    if (e != null
        && oldId != null
        && session instanceof ReplicatedSession rs
        && !rs.isUnsent()
        && !SessionIds.base(oldId).equals(SessionIds.base(newId))) {
      CompletableFuture<Void> f;
      synchronized (rs) {
        f = e.changeId(SessionIds.base(oldId), SessionIds.base(newId));
        rs.idChanged();
      }
      await(f, "a session id change");
    }
  }

  /** Tomcat's background expiry is replaced by the engine's (it fires listeners once). */
  @Override
  public void processExpires() {
    SessionEngine e = engine;
    if (e != null) {
      e.expireIdle();
    }
  }

  // ---- called by the session and the valve ----

  void beginRequest() {
    used.remove();
    absent.set(NOTHING_ABSENT);
    work.set(new Work());
  }

  /** {@code s} was changed by the current request; capture {@code n} will carry the change. */
  void noteChange(ReplicatedSession s, long n) {
    Work w = work.get();
    if (w != null) {
      w.of(s).lastChange = n;
    }
  }

  /** The current request read a mutable attribute of {@code s}: it may change it in place. */
  void noteRead(ReplicatedSession s, String name) {
    Work w = work.get();
    if (w != null) {
      w.of(s);
      if (w.read == null) {
        w.read = new HashSet<>();
      }
      w.read.add(name);
    }
  }

  /**
   * The request already holds {@code s}: a valve on the context's pipeline runs after the context's
   * authenticator, which looks the session up first.
   */
  void markUsed(Session s) {
    used(s);
  }

  void endRequest() {
    used.remove();
    absent.remove();
    work.remove();
  }

  /**
   * Replicates the session the current request used, if any and still valid.
   *
   * @return false when the request's change was applied nowhere because the session moved to, or
   *     was changed on, another member while the request ran (the local copy is dropped; the client
   *     should retry)
   */
  boolean replicateCurrent() {
    ReplicatedSession s = used.get();
    if (s != null && s.isValid()) {
      return replicate(s);
    }
    return true;
  }

  void invalidateEverywhere(String base) {
    SessionEngine e = engine;
    if (e != null) {
      await(e.invalidate(base), "a session invalidation");
    }
  }

  /**
   * Captures and replicates what has been done to {@code s}; in sync mode waits for the holders'
   * acknowledgements (bounded by the sync timeout).
   *
   * <p>The result is about the current request's own changes: they went out with the capture noted
   * when it made its last change ({@link #noteChange}) — its own capture, or an earlier one that a
   * concurrent request of the same session on this node took — and the request's outcome is that
   * capture's. A request that changed nothing it can tell (only access times, metadata set outside
   * the attribute map) is judged by its own capture.
   *
   * @return false when the request's changes were applied nowhere
   */
  boolean replicate(ReplicatedSession s) {
    SessionEngine e = engine;
    if (e == null || !s.isValid()) {
      return true;
    }
    Work w = work.get();
    Work mine = w != null && w.session == s ? w : null;
    String base = s.baseId();
    ReplicatedSession.Sent sent =
        s.send(e, codec(), internalCodec, mine == null ? null : mine.read);
    boolean lost = sent.commit() == null;
    if (!lost && await(sent.commit(), "a session change") instanceof OwnershipLostException) {
      lost = true;
    }
    if (lost) {
      dropLocal(base, s);
      log.warn(
          "cohort: a session change was not kept: the session moved to, or was changed on, another"
              + " node while the request ran — the client is asked to retry (503) when the"
              + " response is not sent yet");
    } else {
      awaitStored(e, base);
    }
    long carrier = sent.number();
    if (mine != null && mine.read == null && mine.lastChange > 0) {
      carrier = mine.lastChange;
    }
    if (carrier == sent.number()) {
      return !lost;
    }
    NodeConfig c = config;
    return s.applied(carrier, c == null ? 0 : c.engine().syncTimeout().toMillis() + 1000);
  }

  /**
   * {@code storeSync}: waits until the store holds the session's committed state, bounded by the
   * sync timeout. During a store outage nobody waits: the write is queued (and counted in {@code
   * /cohort/status}), the response is served from memory.
   */
  private void awaitStored(SessionEngine e, String base) {
    NodeConfig c = config;
    if (c == null || c.storeSpec() == null || !settings.storeSync) {
      return;
    }
    if (StoreStatus.of(e).map(st -> !st.up()).orElse(false)) {
      return;
    }
    long limit = c.engine().syncTimeout().toMillis();
    try {
      e.stored(base).get(limit, TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException ee) {
      // an outage began or the write was dropped: both are counted in the store's status
      if (log.isDebugEnabled()) {
        log.debug("cohort: a store write was not confirmed: " + ee.getCause().getMessage());
      }
    } catch (TimeoutException te) {
      log.warn(
          "cohort: a store write was not confirmed within "
              + limit
              + " ms — the response is sent; the write stays queued (see /cohort/status)");
    }
  }

  /**
   * Swap-out: removes {@code s} from memory once the engine has handed its state to the store. A
   * request for it meanwhile waits (the same lock as {@link #findSession}) and then loads it back.
   *
   * @return true when the session left memory
   */
  boolean swapOut(ReplicatedSession s) {
    SessionEngine e = engine;
    String local = s.getIdInternal();
    if (e == null || local == null) {
      return false;
    }
    String base = SessionIds.base(local);
    synchronized (stripes[Math.floorMod(base.hashCode(), stripes.length)]) {
      if (sessions.get(local) != s || !s.isValid()) {
        return false;
      }
      s.passivate();
      sessions.remove(local);
      if (!e.release(base)) {
        sessions.put(local, s); // still owned here (no store, or the store thread is busy)
        s.activate();
        return false;
      }
      s.discard();
      return true;
    }
  }

  /**
   * Waits for {@code f} (bounded): the acknowledgements in sync mode, the change leaving this node
   * in async mode (the engine bounds that wait); logs a failure.
   *
   * @return the {@link OwnershipLostException} the engine failed {@code f} with (at once in either
   *     mode, or when a holder refused the change in sync mode), else null
   */
  private Throwable await(CompletableFuture<Void> f, String what) {
    NodeConfig c = config;
    if (f.isCompletedExceptionally()) {
      Throwable t = f.handle((v, x) -> x).join();
      if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
        t = t.getCause();
      }
      if (t instanceof OwnershipLostException) {
        return t;
      }
    }
    if (c == null) {
      return null;
    }
    try {
      f.get(c.engine().syncTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException ee) {
      Throwable t = ee.getCause();
      if (t instanceof OwnershipLostException) {
        return t;
      }
      log.warn(
          "cohort: replication of "
              + what
              + " was not acknowledged"
              + (t instanceof ReplicationException ? "" : " (" + t.getClass().getSimpleName() + ")")
              + ": "
              + t.getMessage()
              + " — the response is sent; the session is unprotected until its holders answer");
    } catch (TimeoutException te) {
      log.warn(
          "cohort: replication of "
              + what
              + " was not acknowledged within "
              + (c.engine().syncTimeout().toMillis() + 1000)
              + " ms — the response is sent; check the cluster members' health");
    }
    return null;
  }

  /**
   * Forgets the local object of a session another member owns now (or that ended there): the next
   * request looks the session up again. A request still using the object goes on with it; its
   * commit is refused (or, when this node owns the session again at the version the object
   * reflects, applied) — the object is not invalidated under it.
   */
  private void dropLocal(String base) {
    sessions.remove(SessionIds.withRoute(base, getJvmRoute()));
  }

  /** {@link #dropLocal(String)}, only when the local object is {@code s}. */
  private void dropLocal(String base, ReplicatedSession s) {
    sessions.remove(SessionIds.withRoute(base, getJvmRoute()), s);
  }

  /** The engine's callbacks, on engine threads. */
  private final class Events implements SessionEvents {
    @Override
    public void ownershipLost(String id) {
      dropLocal(id);
    }

    @Override
    public void removedRemotely(String id) {
      dropLocal(id);
    }

    @Override
    public long deserializationRefusals() {
      AttributeCodec c = codec;
      AttributeCodec i = internalCodec;
      return (c == null ? 0 : c.refusals()) + (i == null ? 0 : i.refusals());
    }

    @Override
    public void expired(SessionRecord record) {
      String local = SessionIds.withRoute(record.id(), getJvmRoute());
      Session s = sessions.get(local);
      ReplicatedSession rs;
      if (s instanceof ReplicatedSession existing) {
        rs = existing;
      } else {
        rs = materialize(local, record);
      }
      rs.expireFromEngine();
    }
  }
}
