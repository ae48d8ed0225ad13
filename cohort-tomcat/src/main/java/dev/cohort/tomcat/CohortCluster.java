package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.farm.AppChannels;
import dev.cohort.tomcat.farm.FarmChannels;
import dev.cohort.tomcat.farm.FarmConfig;
import dev.cohort.tomcat.farm.FarmDeployer;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.catalina.Container;
import org.apache.catalina.ContainerListener;
import org.apache.catalina.Context;
import org.apache.catalina.Engine;
import org.apache.catalina.Host;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Manager;
import org.apache.catalina.Valve;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Drop-in session replication for a Tomcat Engine (or Host): {@code <Cluster
 * className="dev.cohort.tomcat.CohortCluster" mode="backup" .../>} in server.xml. Every context
 * marked {@code <distributable/>} gets a {@link ReplicatedManager} with its own engine and JGroups
 * channel (cluster name = {@code clusterName} + the context path, so applications never mix); other
 * contexts keep Tomcat's StandardManager.
 *
 * <p>The node name is the Engine's {@code jvmRoute} (required). The bean attributes are read once
 * at start and validated there: a bad value fails start with a {@link LifecycleException} naming
 * the attribute. When {@code adminEnabled} (default) and {@code dev.cohort.tomcat.admin.AdminValve}
 * is present, it is added to the Engine's pipeline (before the replication valve) to serve {@code
 * /cohort/*}.
 *
 * <p>A server.xml half-migrated from Tomcat's {@code SimpleTcpCluster} starts too: its {@code
 * channelSendOptions} and nested {@code <Manager>}, {@code <Channel>}, {@code <Valve>}, {@code
 * <Deployer>} and {@code <ClusterListener>} are each logged once at WARNING, as mapped to a Cohort
 * attribute or ignored (see {@link ClusterBridge} for how the digester reaches them).
 *
 * <p>Thread-safe: setters are for the digester before start; {@link #engines()} may be called from
 * any thread.
 */
public class CohortCluster extends ClusterBridge {
  private static final Log log = LogFactory.getLog(CohortCluster.class);
  static final String ADMIN_VALVE = "dev.cohort.tomcat.admin.AdminValve";

  final CohortSettings settings = new CohortSettings();
  private final TomcatElements tomcat = new TomcatElements();

  /** The attributes set on this element, which a mapped Tomcat element must not contradict. */
  private final Set<String> explicit = ConcurrentHashMap.newKeySet();

  private volatile boolean expireSessionsOnShutdown;
  private final List<ReplicatedManager> managers = new CopyOnWriteArrayList<>();
  private volatile Container container;
  private volatile EngineFactory engineFactory = EngineFactory.jgroups();
  private volatile String nodeName;
  private volatile Valve adminValve;
  private volatile int adminPort;
  private volatile Valve replicationValve;
  private volatile String farmDir;
  private volatile int farmPort;
  private volatile long farmScanInterval = FarmConfig.DEFAULT_SCAN_INTERVAL.toMillis();
  private volatile long farmMaxWarBytes = FarmConfig.DEFAULT_MAX_WAR_BYTES;
  private volatile FarmDeployer farm;

  // ---- bean attributes (server.xml) ----

  /**
   * {@code all} (every member holds every session) or {@code backup} (k holders). Default backup.
   */
  public void setMode(String mode) {
    settings.mode = mode;
    explicit.add("mode");
  }

  /** k, the replica holders per session in backup mode (1..16). Default 1. */
  public void setBackups(int backups) {
    settings.backups = backups;
  }

  /** Whether a response waits for the holders' acknowledgement. Default true. */
  public void setSync(boolean sync) {
    settings.sync = sync;
    explicit.add("sync");
  }

  /** How long a sync commit or a take-over waits, ms. Default 5000. */
  public void setSyncTimeout(long ms) {
    settings.syncTimeout = ms;
  }

  /** {@code multicast[:addr:port]}, {@code static:host:port,...} or {@code dns:name}. */
  public void setDiscovery(String discovery) {
    settings.discovery = discovery;
  }

  /** Address the cluster transport binds to. Default 127.0.0.1. */
  public void setBindAddress(String bindAddress) {
    settings.bindAddress = bindAddress;
  }

  /** First cluster port; the next free ones are used by further contexts. Default 4000. */
  public void setPort(int port) {
    settings.port = port;
  }

  /** How many ports after {@code port} are tried. Default 100. */
  public void setPortRange(int portRange) {
    settings.portRange = portRange;
  }

  /** Name prefix of the JGroups clusters; the context path is appended. Default cohort. */
  @Override
  public void setClusterName(String clusterName) {
    settings.clusterName = clusterName;
  }

  @Override
  public String getClusterName() {
    return settings.clusterName;
  }

  /**
   * Shared secret (16+ characters) for authentication and encryption. Default none; required when
   * {@code bindAddress} is not loopback.
   */
  public void setSecret(String secret) {
    settings.secret = secret;
  }

  /**
   * A file holding the shared secret (its first line), so that it shows neither in server.xml nor
   * in a process listing; instead of {@code secret}. Default none.
   */
  public void setSecretFile(String path) {
    settings.secretFile = path;
  }

  /**
   * INSECURE opt-out: lets the cluster and farm ports bind a non-loopback address without a secret
   * (anyone who reaches them can join, read every session and deploy). Default false.
   */
  public void setInsecure(boolean insecure) {
    settings.insecure = insecure;
  }

  public boolean isInsecure() {
    return settings.insecure;
  }

  /** How long a joining node waits for state in all mode, ms. Default 60000. */
  public void setStateTransferTimeout(long ms) {
    settings.stateTransferTimeout = ms;
  }

  /** How long a graceful stop waits for holders to take over, ms. Default 30000. */
  public void setDrainTimeout(long ms) {
    settings.drainTimeout = ms;
  }

  /** Failure-detection heartbeat, ms. Default 500. */
  public void setHeartbeat(long ms) {
    settings.heartbeat = ms;
  }

  /** A member silent this long is suspected, ms. Default 3000. */
  public void setDropTime(long ms) {
    settings.dropTime = ms;
  }

  /** Request URIs matching this (case-insensitive) regex are never replicated. */
  public void setReplicationFilter(String regex) {
    settings.replicationFilter = regex;
    explicit.add("replicationFilter");
  }

  /**
   * Tomcat's {@code sessionAttributeNameFilter}, for every context's manager: only attributes whose
   * name matches this regex (whole match) are replicated; the others stay on the node that set
   * them. Default none (all).
   */
  public void setSessionAttributeNameFilter(String regex) {
    settings.sessionAttributeNameFilter = regex == null || regex.isEmpty() ? null : regex;
    explicit.add("sessionAttributeNameFilter");
  }

  /**
   * Tomcat's {@code sessionAttributeValueClassNameFilter}, for every context's manager: only
   * attributes whose value's class name matches this regex are replicated. Default none (all).
   */
  public void setSessionAttributeValueClassNameFilter(String regex) {
    settings.sessionAttributeValueClassNameFilter = regex == null || regex.isEmpty() ? null : regex;
    explicit.add("sessionAttributeValueClassNameFilter");
  }

  /** Tomcat's: log each attribute the filters keep local at WARNING (else DEBUG). Default false. */
  public void setWarnOnSessionAttributeFilterFailure(boolean warn) {
    settings.warnOnSessionAttributeFilterFailure = warn;
    explicit.add("warnOnSessionAttributeFilterFailure");
  }

  /**
   * Tomcat's attribute, for every context's manager: true expires (and invalidates cluster-wide)
   * the sessions a stopping node serves; false (default) hands them to the others.
   */
  public void setExpireSessionsOnShutdown(boolean expire) {
    this.expireSessionsOnShutdown = expire;
  }

  // ---- Tomcat's SimpleTcpCluster (a half-migrated server.xml) ----

  /**
   * SimpleTcpCluster's {@code channelSendOptions} (a number or names): mapped at start to {@code
   * sync} ({@code 8}/{@code async}: false; {@code 6}/{@code use_ack,sync} or {@code 2}: true).
   */
  public void setChannelSendOptions(String options) {
    tomcat.channelSendOptions(options);
  }

  /** SimpleTcpCluster's; ignored, with a warning. */
  public void setChannelStartOptions(String options) {
    tomcat.ignoredAttribute("channelStartOptions");
  }

  /** SimpleTcpCluster's; ignored, with a warning. */
  public void setHeartbeatBackgroundEnabled(String enabled) {
    tomcat.ignoredAttribute("heartbeatBackgroundEnabled");
  }

  /** SimpleTcpCluster's; ignored, with a warning. */
  public void setNotifyLifecycleListenerOnFailure(String notify) {
    tomcat.ignoredAttribute("notifyLifecycleListenerOnFailure");
  }

  /**
   * A {@code <Valve>} nested in {@code <Cluster>}: never added (Cohort adds its own); a
   * ReplicationValve's {@code filter} is mapped to replicationFilter.
   */
  public void addValve(Valve valve) {
    tomcat.valve(valve.getClass().getName(), valve);
  }

  /** Where {@link ClusterBridge} hands the other nested elements. */
  TomcatElements tomcatElements() {
    return tomcat;
  }

  /** Extra classes / packages (a.b.C, a.b.*, a.b.**) attribute values may use, comma-separated. */
  public void setAllowedClasses(String commaSeparated) {
    settings.allowedClasses = commaSeparated;
  }

  /** Durable store spec ({@code jdbc:...}, {@code file:DIR}). Default none. */
  public void setStore(String spec) {
    settings.store = spec;
  }

  /** See {@link ReplicatedManager#setMaxLookups}. */
  public void setMaxLookups(int n) {
    settings.maxLookups = n;
  }

  /**
   * With a store: whether a response waits until the store holds the request's change (bounded by
   * the sync timeout; not during a store outage). Default false (the store is written behind).
   */
  public void setStoreSync(boolean storeSync) {
    settings.storeSync = storeSync;
  }

  /** Serve /cohort/* from this node. Default true. */
  public void setAdminEnabled(boolean enabled) {
    settings.adminEnabled = enabled;
  }

  public boolean isAdminEnabled() {
    return settings.adminEnabled;
  }

  /**
   * The local port of the admin connector: status, page, metrics and the farm's catalogue answer
   * there without a signature (declare that {@code <Connector>} in server.xml, bound to loopback or
   * a management network). Elsewhere they need a request signed with the secret. Default 0: no
   * admin connector.
   */
  public void setAdminPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("adminPort: " + port + " is not between 0 and 65535");
    }
    this.adminPort = port;
  }

  public int getAdminPort() {
    return adminPort;
  }

  /**
   * Farm deployment: WARs dropped into (or uploaded to) this directory on one node are deployed on
   * every node (docs/farm.md). Default none (off). Must not be the Host's appBase.
   */
  public void setFarmDir(String dir) {
    this.farmDir = dir == null || dir.isBlank() ? null : dir;
  }

  public String getFarmDir() {
    return farmDir;
  }

  /** First port of the farm's channel. Default 0: the cluster port + 1000. */
  public void setFarmPort(int port) {
    this.farmPort = port;
  }

  /** How often the farm directory is scanned, ms. Default 2000. */
  public void setFarmScanInterval(long ms) {
    this.farmScanInterval = ms;
  }

  /** Largest WAR the farm accepts, bytes. Default 512 MiB. */
  public void setFarmMaxWarBytes(long bytes) {
    this.farmMaxWarBytes = bytes;
  }

  /** The farm deployer while started with a farmDir, else null. */
  public FarmDeployer farm() {
    return farm;
  }

  /** Replaces the JGroups engine for every context (tests, embedders). Set before start. */
  public void setEngineFactory(EngineFactory factory) {
    this.engineFactory = Objects.requireNonNull(factory, "factory");
  }

  /** The engines of the replicated contexts that are started, in start order. */
  public Collection<SessionEngine> engines() {
    List<SessionEngine> out = new ArrayList<>();
    for (ReplicatedManager m : managers) {
      SessionEngine e = m.engine();
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /** The node name (the Engine's jvmRoute); null before start. */
  public String nodeName() {
    return nodeName;
  }

  // ---- Cluster ----

  @Override
  public Container getContainer() {
    return container;
  }

  @Override
  public void setContainer(Container container) {
    this.container = container;
  }

  @Override
  public Manager createManager(String name) {
    ReplicatedManager m = new ReplicatedManager(settings.copy());
    if (settings.sessionAttributeNameFilter != null) {
      m.setSessionAttributeNameFilter(settings.sessionAttributeNameFilter);
    }
    if (settings.sessionAttributeValueClassNameFilter != null) {
      m.setSessionAttributeValueClassNameFilter(settings.sessionAttributeValueClassNameFilter);
    }
    if (settings.warnOnSessionAttributeFilterFailure) {
      m.setWarnOnSessionAttributeFilterFailure(true);
    }
    m.setExpireSessionsOnShutdown(expireSessionsOnShutdown);
    m.setEngineFactory(engineFactory);
    m.setCluster(this);
    managers.add(m);
    return m;
  }

  @Override
  public void registerManager(Manager manager) {
    if (manager instanceof ReplicatedManager rm) {
      if (!managers.contains(rm)) {
        rm.setCluster(this);
        managers.add(rm);
      }
    } else if (manager != null) {
      log.warn(
          "cohort: distributable context ["
              + (manager.getContext() == null ? "?" : manager.getContext().getName())
              + "] has its own manager "
              + manager.getClass().getName()
              + ", which Cohort does not replicate — remove its <Manager> element");
    }
  }

  @Override
  public void removeManager(Manager manager) {
    managers.remove(manager);
  }

  @Override
  public void backgroundProcess() {
    // each ReplicatedManager runs its engine's expiry from its context's background thread
  }

  // ---- lifecycle ----

  @Override
  protected void startInternal() throws LifecycleException {
    Engine engine = engine();
    String route = engine == null ? null : engine.getJvmRoute();
    NodeConfig probe;
    try {
      // validate every attribute once, before any context starts
      tomcat.applyTo(settings, explicit);
      probe = settings.build(route, "");
      if (engineFactory == EngineFactory.jgroups()) {
        JGroupsEngineFactory.channelConfig(probe).requireSecretBeyondLoopback();
      }
    } catch (IllegalArgumentException e) {
      throw new LifecycleException("cohort: invalid <Cluster> configuration: " + e.getMessage(), e);
    }
    nodeName = route;
    if (farmDir != null) {
      farm = farm(route);
    }
    if (settings.adminEnabled && engine != null) {
      adminValve = adminValve(route, probe.secret());
      if (adminValve != null) {
        engine.getPipeline().addValve(adminValve);
        if (farm != null) {
          try {
            adminValve.getClass().getMethod("setFarm", FarmDeployer.class).invoke(adminValve, farm);
          } catch (ReflectiveOperationException e) {
            log.error("cohort: the admin valve cannot serve /cohort/farm: " + e);
          }
        }
      }
    }
    watchContexts();
    if (container != null) {
      replicationValve = new ReplicationValve();
      container.getPipeline().addValve(replicationValve);
    }
    setState(LifecycleState.STARTING);
  }

  /** Builds and opens the farm; it joins once the container has started. */
  private FarmDeployer farm(String route) throws LifecycleException {
    Host host = host();
    if (host == null) {
      throw new LifecycleException(
          "cohort: invalid <Cluster> configuration: farmDir: the Cluster's container has no Host"
              + " — put the Cluster in an <Engine> with a <Host>");
    }
    FarmDeployer f;
    try {
      NodeConfig node = settings.build(route, "");
      int port = farmPort == 0 ? node.port() + 1000 : farmPort;
      FarmConfig config =
          FarmConfig.of(route, Path.of(farmDir))
              .withScanInterval(Duration.ofMillis(farmScanInterval))
              .withMaxWarBytes(farmMaxWarBytes);
      f =
          FarmDeployer.forHost(
              config,
              FarmChannels.jgroups(FarmChannels.config(node, settings.clusterName, port)),
              host,
              new AppChannels(node.port(), port, node.discovery()));
    } catch (IllegalArgumentException e) {
      throw new LifecycleException("cohort: invalid <Cluster> configuration: " + e.getMessage(), e);
    }
    try {
      f.open();
    } catch (IOException e) {
      f.close();
      throw new LifecycleException(
          "cohort: farmDir: " + farmDir + " cannot be used: " + e + " — check it is writable", e);
    }
    Container c = container;
    c.addLifecycleListener(
        event -> {
          if (Lifecycle.AFTER_START_EVENT.equals(event.getType())) {
            f.join();
          }
        });
    return f;
  }

  private Host host() {
    Container c = container;
    if (c instanceof Host h) {
      return h;
    }
    if (c instanceof Engine e) {
      Container h = e.findChild(e.getDefaultHost());
      if (h instanceof Host host) {
        return host;
      }
      for (Container child : e.findChildren()) {
        if (child instanceof Host host) {
          return host;
        }
      }
    }
    return null;
  }

  @Override
  protected void stopInternal() throws LifecycleException {
    setState(LifecycleState.STOPPING);
    FarmDeployer f = farm;
    if (f != null) {
      f.close();
      farm = null;
    }
    Valve v = adminValve;
    Engine engine = engine();
    if (v != null && engine != null) {
      engine.getPipeline().removeValve(v);
      adminValve = null;
    }
    Valve r = replicationValve;
    if (r != null && container != null) {
      container.getPipeline().removeValve(r);
      replicationValve = null;
    }
  }

  /**
   * Logs loudly every context that starts without replication because it is not distributable: a
   * single web-fragment.xml without {@code <distributable/>} turns it off (Tomcat pain 6).
   */
  private void watchContexts() {
    Container c = container;
    if (c == null) {
      return;
    }
    LifecycleListener onStart =
        event -> {
          if (Lifecycle.AFTER_START_EVENT.equals(event.getType())
              && event.getLifecycle() instanceof Context ctx
              && !(ctx.getManager() instanceof ReplicatedManager)) {
            log.warn(
                "cohort: context ["
                    + ctx.getName()
                    + "] is NOT replicated: it is not <distributable/> (web.xml and every"
                    + " web-fragment.xml of its jars must say so) — its sessions are lost when"
                    + " this node stops");
          }
        };
    ContainerListener onAdd =
        event -> {
          if (Container.ADD_CHILD_EVENT.equals(event.getType())
              && event.getData() instanceof Context ctx) {
            ctx.addLifecycleListener(onStart);
          }
        };
    List<Container> hosts = new ArrayList<>();
    if (c instanceof Engine) {
      hosts.addAll(List.of(c.findChildren()));
    } else {
      hosts.add(c);
    }
    for (Container host : hosts) {
      host.addContainerListener(onAdd);
      for (Container child : host.findChildren()) {
        if (child instanceof Context ctx) {
          ctx.addLifecycleListener(onStart);
        }
      }
    }
  }

  private Engine engine() {
    Container c = container;
    while (c != null && !(c instanceof Engine)) {
      c = c.getParent();
    }
    return (Engine) c;
  }

  private Valve adminValve(String route, String secret) {
    Class<?> type;
    try {
      type = Class.forName(ADMIN_VALVE, true, CohortCluster.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      log.info("cohort: " + ADMIN_VALVE + " is not on the class path; /cohort/* is not served");
      return null;
    }
    try {
      Constructor<?> ctor = type.getConstructor(Supplier.class, String.class);
      Supplier<Collection<SessionEngine>> supplier = this::engines;
      Valve v = (Valve) ctor.newInstance(supplier, route);
      type.getMethod("setSecret", String.class).invoke(v, secret);
      type.getMethod("setAdminPort", int.class).invoke(v, adminPort);
      return v;
    } catch (ReflectiveOperationException | ClassCastException e) {
      log.error("cohort: cannot create " + ADMIN_VALVE + ": " + e + "; /cohort/* is not served");
      return null;
    }
  }

  // ---- JMX ----

  @Override
  protected String getDomainInternal() {
    Container c = container;
    return c == null ? null : c.getDomain();
  }

  @Override
  protected String getObjectNameKeyProperties() {
    Container c = container;
    return "type=CohortCluster" + (c == null ? "" : c.getMBeanKeyProperties());
  }
}
