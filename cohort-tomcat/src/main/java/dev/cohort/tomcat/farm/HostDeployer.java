package dev.cohort.tomcat.farm;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.CohortCluster;
import dev.cohort.tomcat.ReplicatedManager;
import dev.cohort.tomcat.WebappDefaults;
import java.nio.file.Path;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Host;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Manager;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.ContextConfig;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Deploys farmed WARs as children of a Tomcat {@link Host}: a {@link StandardContext} whose docBase
 * is the stored, immutable WAR (not unpacked), configured by {@link ContextConfig} like any WAR
 * (the Host's global {@code conf/web.xml} and {@code context.xml} apply). A distributable WAR gets
 * the Cluster's replicated manager as usual, so stopping the old context drains its sessions to
 * their replica holders and the new one takes them over.
 */
final class HostDeployer implements Deployer {
  private static final Log log = LogFactory.getLog(HostDeployer.class);
  private static final java.time.Duration REJOIN_WAIT = java.time.Duration.ofSeconds(30);
  private final Host host;
  private final String node;
  private final AppChannels channels;

  HostDeployer(Host host, String node, AppChannels channels) {
    this.host = host;
    this.node = node;
    this.channels = channels;
  }

  @Override
  public void deploy(String name, int slot, Path war) throws DeployException {
    String path = FarmApp.contextPath(name);
    Container old = host.findChild(path);
    String previous = old instanceof Context c ? c.getDocBase() : null;
    int members = sessionClusterSize(old);
    if (old != null) {
      host.removeChild(old);
    }
    HeldContext ctx = context(path, war.toAbsolutePath().toString(), slot);
    // requests wait (Tomcat's paused state) until the new version has found its session cluster:
    // served before, a user's session would be missing from it and a new one would replace it
    ctx.hold(members > 1);
    String why;
    try {
      why = start(ctx);
      if (why == null) {
        awaitRejoined(name, ctx, members);
        return;
      }
    } finally {
      ctx.hold(false);
    }
    remove(ctx);
    if (previous != null) {
      String again = start(context(path, previous, slot));
      if (again != null) {
        log.error(
            "farm: the previous version of ["
                + name
                + "] did not start again either: "
                + again
                + " — see the errors logged above");
      }
    }
    throw new DeployException(
        "deploying ["
            + name
            + "] failed on "
            + node
            + ": "
            + why
            + (previous == null ? "" : "; the previous version was started again")
            + " — see that node's log for the cause");
  }

  @Override
  public void undeploy(String name) {
    Container c = host.findChild(FarmApp.contextPath(name));
    if (c != null) {
      host.removeChild(c);
    }
  }

  /**
   * A farmed context that can hold its requests: while held it reports itself paused, and Tomcat's
   * connector lets a request wait (re-checking every second) instead of serving it, as during a
   * context reload.
   */
  static final class HeldContext extends StandardContext {
    private volatile boolean held;

    void hold(boolean h) {
      held = h;
    }

    @Override
    public boolean getPaused() {
      return held || super.getPaused();
    }
  }

  private HeldContext context(String path, String docBase, int slot) {
    HeldContext ctx = new HeldContext();
    ctx.setName(path);
    ctx.setPath(path);
    ctx.setDocBase(docBase);
    ctx.setUnpackWAR(false);
    ContextConfig config = new ContextConfig();
    ctx.addLifecycleListener(config);
    // an embedded Tomcat (cohort node) has no conf/web.xml: give the app what one would
    WebappDefaults.installUnlessGlobalWebXml(ctx, config, host);
    // after ContextConfig (listeners run in order): web.xml has said whether it is distributable
    ctx.addLifecycleListener(
        event -> {
          if (Lifecycle.CONFIGURE_START_EVENT.equals(event.getType())
              && ctx.getDistributable()
              && ctx.getManager() == null
              && ctx.getCluster() instanceof CohortCluster cluster) {
            Manager m = cluster.createManager(ctx.getName());
            if (m instanceof ReplicatedManager rm && channels != null) {
              channels.configure(rm, slot);
            }
            ctx.setManager(m);
          }
        });
    return ctx;
  }

  /** Members in the session cluster of a context (0: none, or not replicated). */
  private static int sessionClusterSize(Container c) {
    if (c instanceof Context ctx && ctx.getManager() instanceof ReplicatedManager rm) {
      SessionEngine e = rm.engine();
      try {
        return e == null ? 0 : e.view().size();
      } catch (RuntimeException ex) {
        return 0;
      }
    }
    return 0;
  }

  /**
   * Waits (bounded) until the new version's session cluster has as many members as the old one had:
   * the next node's rollout drains its sessions to the members it sees, and a new context whose
   * channel has not found the others yet (discovery under load) would be missing from them — its
   * users' next request would find no session (FarmCommandIT under load).
   */
  private void awaitRejoined(String name, Context ctx, int members) {
    if (members <= 1) {
      return;
    }
    long deadline = System.nanoTime() + REJOIN_WAIT.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      seen = sessionClusterSize(ctx);
      if (seen >= members) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    log.warn(
        "farm: ["
            + name
            + "] runs on "
            + node
            + ", but its session cluster shows "
            + seen
            + " of the "
            + members
            + " members it had after "
            + REJOIN_WAIT.toSeconds()
            + " s — the rollout goes on; check the cluster port and discovery of this node");
  }

  /** Adds and starts {@code ctx}; null when it started, else why not. */
  private String start(Context ctx) {
    try {
      host.addChild(ctx);
    } catch (RuntimeException e) {
      return "the context did not start: " + e.getMessage();
    }
    LifecycleState s = ctx.getState();
    return s == LifecycleState.STARTED ? null : "the context did not start (state " + s + ")";
  }

  private void remove(Context ctx) {
    try {
      if (host.findChild(ctx.getName()) == ctx) {
        host.removeChild(ctx);
      }
    } catch (RuntimeException e) {
      log.warn("farm: removing the failed context [" + ctx.getName() + "] failed: " + e);
    }
  }
}
