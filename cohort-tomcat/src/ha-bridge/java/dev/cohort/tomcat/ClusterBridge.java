package dev.cohort.tomcat;

import org.apache.catalina.Cluster;
import org.apache.catalina.ha.ClusterDeployer;
import org.apache.catalina.ha.ClusterListener;
import org.apache.catalina.ha.ClusterManager;
import org.apache.catalina.tribes.Channel;
import org.apache.catalina.util.LifecycleMBeanBase;

/**
 * The superclass of {@link CohortCluster} in the {@code -all} jar, for a Tomcat distribution: the
 * methods Tomcat's server.xml digester calls for the elements nested in a {@code <Cluster>}, with
 * the exact parameter types it looks for (see the plain build of this class in src/main/java for
 * why there are two). Compiled against stand-ins of those four Tomcat types (src/ha-bridge/stubs,
 * never packaged); at run time the real ones come from {@code catalina-ha.jar} and {@code
 * catalina-tribes.jar}. Nothing here calls the objects: {@link TomcatElements} describes them.
 */
public abstract class ClusterBridge extends LifecycleMBeanBase implements Cluster {
  ClusterBridge() {}

  /**
   * {@code <Manager>} in {@code <Cluster>}: DeltaManager maps to mode all, BackupManager to backup.
   */
  public void setManagerTemplate(ClusterManager manager) {
    elements().managerTemplate(manager.getClass().getName(), manager);
  }

  /** {@code <Channel>}: ignored, with a warning naming what it held. */
  public void setChannel(Channel channel) {
    elements().channel(channel);
  }

  /** {@code <Deployer>}: ignored, with a warning. */
  public void setClusterDeployer(ClusterDeployer deployer) {
    elements().deployer(deployer);
  }

  /** {@code <ClusterListener>}: ignored, with a warning. */
  public void addClusterListener(ClusterListener listener) {
    elements().clusterListener(listener);
  }

  private TomcatElements elements() {
    return ((CohortCluster) this).tomcatElements();
  }
}
