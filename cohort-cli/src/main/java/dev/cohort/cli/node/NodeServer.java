package dev.cohort.cli.node;

import dev.cohort.cli.webapp.DemoWebapp;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.CohortCluster;
import dev.cohort.tomcat.WebappDefaults;
import dev.cohort.tomcat.admin.AdminValve;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/**
 * One node: an embedded Tomcat whose Engine has jvmRoute = the node name and a {@link
 * CohortCluster} configured with the setters {@code server.xml} attributes use, serving the demo
 * webapp (or {@code --webapp}) as a distributable ROOT context.
 *
 * <p>The admin endpoints come from the cluster's {@link AdminValve} when it installs one; otherwise
 * this class installs one that finds the engines through each context's {@code dev.cohort.engine}
 * attribute.
 */
public final class NodeServer implements AutoCloseable {
  public static final String ENGINE_ATTRIBUTE = "dev.cohort.engine";
  private static final Logger log = Logger.getLogger(NodeServer.class.getName());

  private final NodeSettings settings;
  private final Path baseDir;
  private final Tomcat tomcat = new Tomcat();
  private Connector adminConnector;
  private boolean closed;

  public NodeServer(NodeSettings settings) throws IOException {
    this.settings = settings;
    this.baseDir = Files.createTempDirectory("cohort-node-" + settings.name() + "-");
  }

  public void start() throws LifecycleException {
    tomcat.setBaseDir(baseDir.toString());
    tomcat.getEngine().setJvmRoute(settings.name());
    tomcat.getEngine().setName("cohort-" + settings.name());
    Connector http = new Connector("HTTP/1.1");
    http.setPort(settings.httpPort());
    http.setProperty("address", settings.bind());
    tomcat.setConnector(http);
    if (settings.adminEnabled() && settings.adminPort() != 0) {
      adminConnector = new Connector("HTTP/1.1");
      adminConnector.setPort(settings.adminPort());
      adminConnector.setProperty("address", settings.adminBind());
      tomcat.getService().addConnector(adminConnector);
    }
    tomcat.getEngine().setCluster(newCluster());
    Context ctx;
    if (settings.webapp() == null) {
      Path docBase = baseDir.resolve("demo");
      try {
        Files.createDirectories(docBase);
      } catch (IOException e) {
        throw new LifecycleException("creating the demo docBase failed: " + e, e);
      }
      ctx = tomcat.addContext("", docBase.toString());
      DemoWebapp.install(ctx, settings.name(), settings.demo());
    } else {
      // what a distribution's conf/web.xml gives: static files, JSPs, MIME types, welcome files
      tomcat.setAddDefaultWebXmlToWebapp(false);
      ctx = tomcat.addWebapp("", Path.of(settings.webapp()).toAbsolutePath().toString());
      WebappDefaults.install(ctx);
    }
    ctx.setDistributable(true);
    if (ctx instanceof StandardContext sc) {
      // one application per JVM that lives as long as the JVM: Tomcat's reload-leak protection
      // only warns about module access here, so it is turned off
      sc.setClearReferencesObjectStreamClassCaches(false);
      sc.setClearReferencesThreadLocals(false);
      sc.setClearReferencesRmiTargets(false);
    }
    tomcat.start();
    if (ctx.getState() != LifecycleState.STARTED) {
      throw new IllegalStateException(
          "node "
              + settings.name()
              + " failed to start its webapp (state "
              + ctx.getState()
              + ") — see the errors logged above");
    }
    if (http.getState() != LifecycleState.STARTED) {
      throw new IllegalArgumentException(
          "--http-port: port " + settings.httpPort() + " could not be opened — see the log above");
    }
    if (settings.adminEnabled()) {
      installAdminValve();
    }
  }

  /** The cluster, configured with the same setters as server.xml's {@code <Cluster>} attributes. */
  private CohortCluster newCluster() {
    CohortCluster cluster = new CohortCluster();
    for (Map.Entry<String, String> e : settings.cluster().entrySet()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "clusterName" -> cluster.setClusterName(v);
        case "mode" -> cluster.setMode(v);
        case "backups" -> cluster.setBackups(Integer.parseInt(v));
        case "sync" -> cluster.setSync(Boolean.parseBoolean(v));
        case "syncTimeout" -> cluster.setSyncTimeout(Long.parseLong(v));
        case "discovery" -> cluster.setDiscovery(v);
        case "bindAddress" -> cluster.setBindAddress(v);
        case "port" -> cluster.setPort(Integer.parseInt(v));
        case "portRange" -> cluster.setPortRange(Integer.parseInt(v));
        case "stateTransferTimeout" -> cluster.setStateTransferTimeout(Long.parseLong(v));
        case "drainTimeout" -> cluster.setDrainTimeout(Long.parseLong(v));
        case "heartbeat" -> cluster.setHeartbeat(Long.parseLong(v));
        case "dropTime" -> cluster.setDropTime(Long.parseLong(v));
        case "store" -> cluster.setStore(v);
        case "allowedClasses" -> cluster.setAllowedClasses(v);
        case "replicationFilter" -> cluster.setReplicationFilter(v);
        case "secret" -> cluster.setSecret(v);
        case "adminEnabled" -> cluster.setAdminEnabled(Boolean.parseBoolean(v));
        case "farmDir" -> cluster.setFarmDir(v);
        case "farmPort" -> cluster.setFarmPort(Integer.parseInt(v));
        case "insecure" -> cluster.setInsecure(Boolean.parseBoolean(v));
        default -> throw new IllegalStateException("unknown cluster setting " + e.getKey());
      }
    }
    return cluster;
  }

  private void installAdminValve() {
    for (Valve v : tomcat.getEngine().getPipeline().getValves()) {
      if (v instanceof AdminValve admin) {
        if (adminConnector != null) {
          admin.setAdminPort(adminConnector.getLocalPort());
        }
        return;
      }
    }
    AdminValve admin = new AdminValve(this::engines, settings.name());
    admin.setSecret(settings.cluster().get("secret"));
    if (adminConnector != null) {
      admin.setAdminPort(adminConnector.getLocalPort());
    }
    tomcat.getEngine().getPipeline().addValve(admin);
  }

  /** The engines of the running contexts, found by their {@code dev.cohort.engine} attribute. */
  Collection<SessionEngine> engines() {
    List<SessionEngine> engines = new ArrayList<>();
    for (Container host : tomcat.getEngine().findChildren()) {
      for (Container child : host.findChildren()) {
        if (child instanceof Context c
            && c.getState() == LifecycleState.STARTED
            && c.getServletContext().getAttribute(ENGINE_ATTRIBUTE) instanceof SessionEngine e) {
          engines.add(e);
        }
      }
    }
    return engines;
  }

  public int httpPort() {
    return tomcat.getConnector().getLocalPort();
  }

  public String adminUrl() {
    if (!settings.adminEnabled()) {
      return "disabled";
    }
    return adminConnector != null
        ? "http://" + settings.adminBind() + ":" + adminConnector.getLocalPort() + "/cohort/"
        : "http://" + settings.bind() + ":" + httpPort() + "/cohort/ (signed requests only)";
  }

  /** Stops gracefully (the cluster drains owned sessions to their holders), then cleans up. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      log.warning("stopping node " + settings.name() + " failed: " + e);
    }
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.fine("removing " + baseDir + " failed: " + e);
    }
  }
}
