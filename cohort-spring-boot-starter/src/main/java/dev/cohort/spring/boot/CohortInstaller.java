package dev.cohort.spring.boot;

import dev.cohort.tomcat.CohortCluster;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Engine;
import org.apache.catalina.connector.Connector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Puts a {@link CohortCluster} into the embedded Tomcat that Spring Boot builds: the application's
 * context becomes distributable (so the cluster gives it a replicated manager), the Engine's
 * jvmRoute becomes the node name and the cluster is attached to the Engine. Runs while Spring Boot
 * prepares the web server, before Tomcat starts; the cluster validates itself when Tomcat starts
 * it.
 */
public final class CohortInstaller
    implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {
  private static final Log log = LogFactory.getLog(CohortInstaller.class);
  private final CohortCluster cluster;
  private final String nodeName;
  private final String adminAddress;

  CohortInstaller(CohortCluster cluster, String nodeName, String adminAddress) {
    this.cluster = cluster;
    this.nodeName = nodeName;
    this.adminAddress = adminAddress;
  }

  /** A cluster configured from validated properties. */
  static CohortCluster cluster(CohortProperties p) {
    CohortCluster c = new CohortCluster();
    c.setMode(p.getMode());
    c.setBackups(p.getBackups());
    c.setSync(p.isSync());
    c.setSyncTimeout(p.getSyncTimeout().toMillis());
    c.setDiscovery(p.getDiscovery());
    c.setBindAddress(p.getBindAddress());
    c.setPort(p.getPort());
    c.setPortRange(p.getPortRange());
    c.setClusterName(p.resolvedClusterName());
    String secret = p.resolvedSecret();
    if (secret != null) {
      c.setSecret(secret);
    }
    c.setStateTransferTimeout(p.getStateTransferTimeout().toMillis());
    c.setDrainTimeout(p.getDrainTimeout().toMillis());
    c.setHeartbeat(p.getHeartbeat().toMillis());
    c.setDropTime(p.getDropTime().toMillis());
    if (p.getReplicationFilter() != null) {
      c.setReplicationFilter(p.getReplicationFilter());
    }
    c.setAllowedClasses(p.getAllowedClasses() == null ? "" : p.getAllowedClasses());
    if (p.getSessionAttributeNameFilter() != null) {
      c.setSessionAttributeNameFilter(p.getSessionAttributeNameFilter());
    }
    if (p.getSessionAttributeValueClassNameFilter() != null) {
      c.setSessionAttributeValueClassNameFilter(p.getSessionAttributeValueClassNameFilter());
    }
    if (p.getStore() != null && !p.getStore().isBlank()) {
      c.setStore(p.getStore());
    }
    c.setAdminEnabled(p.isAdminEnabled());
    c.setAdminPort(p.getAdminPort());
    c.setInsecure(p.isInsecure());
    return c;
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addContextCustomizers(this::install);
    if (cluster.isAdminEnabled() && cluster.getAdminPort() > 0) {
      // the admin connector: status, page and metrics answer here without a signature
      Connector admin = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
      admin.setPort(cluster.getAdminPort());
      admin.setProperty("address", adminAddress);
      factory.addAdditionalTomcatConnectors(admin);
    }
  }

  private void install(Context context) {
    context.setDistributable(true);
    Engine engine = engineOf(context);
    if (engine == null) {
      throw new IllegalStateException(
          "installing Cohort failed [context "
              + context.getName()
              + "]: the context has no Engine above it — Spring Boot's embedded Tomcat is expected");
    }
    if (engine.getCluster() != null && engine.getCluster() != cluster) {
      throw new IllegalStateException(
          "installing Cohort failed: the embedded Tomcat already has a cluster ("
              + engine.getCluster().getClass().getName()
              + ") — remove it or set cohort.enabled=false");
    }
    engine.setJvmRoute(nodeName);
    engine.setCluster(cluster);
  }

  private static Engine engineOf(Container c) {
    while (c != null && !(c instanceof Engine)) {
      c = c.getParent();
    }
    return (Engine) c;
  }
}
