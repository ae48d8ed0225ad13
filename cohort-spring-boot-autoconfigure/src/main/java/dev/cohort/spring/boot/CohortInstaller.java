package dev.cohort.spring.boot;

import dev.cohort.tomcat.CohortCluster;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Engine;
import org.apache.catalina.connector.Connector;

/**
 * Puts a {@link CohortCluster} into the embedded Tomcat that Spring Boot builds: the application's
 * context becomes distributable (so the cluster gives it a replicated manager), the Engine's
 * jvmRoute becomes the node name and the cluster is attached to the Engine; with an admin port, one
 * more connector. Independent of Spring Boot's generation: the customizer of each generation's
 * {@code TomcatServletWebServerFactory} ({@code dev.cohort.spring.boot.boot3}, {@code
 * dev.cohort.spring.boot.boot4}) calls {@link #install} for the application's context and adds
 * {@link #adminConnector}, while Spring Boot prepares the web server, before Tomcat starts; the
 * cluster validates itself when Tomcat starts it.
 */
public final class CohortInstaller {
  /** The protocol of Spring Boot's own connector (both generations' factories default to it). */
  static final String PROTOCOL = "org.apache.coyote.http11.Http11NioProtocol";

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

  /**
   * The admin connector (status, page and metrics answer there without a signature) on {@code
   * cohort.admin-port}, or null when there is none.
   */
  public Connector adminConnector() {
    if (!cluster.isAdminEnabled() || cluster.getAdminPort() <= 0) {
      return null;
    }
    Connector admin = new Connector(PROTOCOL);
    admin.setPort(cluster.getAdminPort());
    admin.setProperty("address", adminAddress);
    return admin;
  }

  /** Makes {@code context} distributable and attaches the cluster to its Engine. */
  public void install(Context context) {
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
