package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngines;
import dev.cohort.store.Redaction;
import jakarta.servlet.ServletContext;
import java.io.File;
import java.time.Clock;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Session;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Persistent sessions without a cluster: {@code <Manager
 * className="dev.cohort.tomcat.PersistentManager" store="jdbc:..." />} in context.xml. Unlike
 * Tomcat's PersistentManager, which writes on an interval (by default only at a clean shutdown), it
 * writes <em>at the end of every request</em> that changed the session, and by default the response
 * leaves only after the store has the change ({@code storeSync="true"}): a {@code kill -9} right
 * after a response loses nothing.
 *
 * <p>Design: the same session and capture as {@link ReplicatedManager}, on an engine whose cluster
 * is this node alone ({@link LocalChannel}): the engine keeps the sessions, computes what each
 * request changed, writes it to the store and expires idle sessions; an id it does not know is
 * loaded from the store. The request-end valve is installed into the context by the manager.
 *
 * <p>Attributes: {@code store} (a {@code jdbc:} or {@code file:} spec; default an H2 database in
 * the context's work directory), {@code storeSync} (default true), {@code maxIdleSwap} (seconds; a
 * session idle longer leaves memory and is loaded back by its next request; default -1, never),
 * plus the shared ones ({@code syncTimeout}, {@code allowedClasses}, {@code replicationFilter},
 * ...). Cluster attributes do not apply.
 *
 * <p>Failure modes: a store that cannot be opened fails the context's start naming the cause; a
 * store outage is survived (requests are served from memory, writes queue and drain after recovery,
 * {@code /cohort/status} shows it); see docs/tomcat.md.
 */
public class PersistentManager extends ReplicatedManager {
  private static final Log log = LogFactory.getLog(PersistentManager.class);
  static final String DEFAULT_NODE_NAME = "local";
  static final String DEFAULT_STORE_FILE = "cohort-sessions";

  private volatile int maxIdleSwap = -1;

  public PersistentManager() {
    settings.storeSync = true;
    setEngineFactory(
        (c, events) ->
            StoredEngine.create(
                c.storeSpec(),
                store ->
                    SessionEngines.create(
                        c.engine(),
                        new LocalChannel(c.nodeName()),
                        store,
                        events,
                        Clock.systemUTC())));
  }

  /**
   * Sessions idle longer than this many seconds leave memory (kept in the store) and come back on
   * their next request; -1 (default) keeps every session in memory. 0 is refused.
   */
  public void setMaxIdleSwap(int seconds) {
    this.maxIdleSwap = seconds;
  }

  public int getMaxIdleSwap() {
    return maxIdleSwap;
  }

  @Override
  boolean replicatesInCluster() {
    return false; // this node alone, with its store: no cluster, no <distributable/> needed
  }

  @Override
  String nodeName() {
    String route = getJvmRoute();
    return route == null || route.isBlank() ? DEFAULT_NODE_NAME : route;
  }

  @Override
  protected void startInternal() throws LifecycleException {
    if (maxIdleSwap == 0 || maxIdleSwap < -1) {
      throw new LifecycleException(
          "cohort: invalid <Manager> configuration: maxIdleSwap: "
              + maxIdleSwap
              + " must be a positive number of seconds or -1 (never)");
    }
    if (settings.store == null || settings.store.isBlank()) {
      settings.store = defaultStore(getContext());
    }
    super.startInternal();
    log.info(
        "cohort: context ["
            + getContext().getName()
            + "] keeps its sessions in "
            + Redaction.of(settings.store).split("[;?]", 2)[0]
            + (settings.storeSync ? ", written before each response" : ", written behind")
            + (maxIdleSwap > 0 ? ", swapped out after " + maxIdleSwap + " s idle" : ""));
  }

  /** An H2 database in the context's work directory (CATALINA_BASE/work/...). */
  static String defaultStore(Context context) {
    File dir = null;
    ServletContext sc = context == null ? null : context.getServletContext();
    if (sc != null && sc.getAttribute(ServletContext.TEMPDIR) instanceof File f) {
      dir = f;
    }
    if (dir == null) {
      dir = new File(System.getProperty("catalina.base", "."), "work");
    }
    return "jdbc:h2:file:" + new File(dir, DEFAULT_STORE_FILE).getAbsolutePath();
  }

  /** Expiry (the engine's), then swap-out of idle sessions. */
  @Override
  public void processExpires() {
    super.processExpires();
    swapIdle();
  }

  /** Swaps out every session idle longer than {@code maxIdleSwap}; returns how many left memory. */
  int swapIdle() {
    int limit = maxIdleSwap;
    if (limit <= 0 || engine() == null) {
      return 0;
    }
    int n = 0;
    for (Session s : findSessions()) {
      if (s instanceof ReplicatedSession rs
          && rs.isValid()
          && rs.getIdleTimeInternal() > limit * 1000L
          && swapOut(rs)) {
        n++;
      }
    }
    if (n > 0 && log.isDebugEnabled()) {
      log.debug("cohort: swapped out " + n + " idle sessions");
    }
    return n;
  }
}
