package dev.cohort.tomcat;

import org.apache.catalina.Cluster;
import org.apache.catalina.util.LifecycleMBeanBase;

/**
 * The superclass of {@link CohortCluster}, empty in this jar.
 *
 * <p>Tomcat's server.xml digester (its {@code ClusterRuleSet}, present when {@code catalina-ha.jar}
 * is in {@code lib/}) creates the objects nested in a {@code <Cluster>} and hands each to a method
 * of the cluster whose parameter type must be exactly Tomcat's: {@code
 * setManagerTemplate(org.apache.catalina.ha.ClusterManager)}, {@code
 * setChannel(org.apache.catalina.tribes.Channel)}, {@code
 * setClusterDeployer(org.apache.catalina.ha.ClusterDeployer)}, {@code
 * addClusterListener(org.apache.catalina.ha.ClusterListener)}; without them a server.xml
 * half-migrated from {@code SimpleTcpCluster} does not parse. A class that declares such methods
 * cannot be introspected (JMX, Spring) where those Tomcat classes are missing, as in an embedded
 * Tomcat. So this jar, for embedded use, has this empty class, and the {@code -all} jar, for a
 * Tomcat distribution (which ships {@code catalina-ha.jar} and {@code catalina-tribes.jar}),
 * carries another build of it with those four methods ({@code src/ha-bridge/java}), which hand the
 * objects to {@code TomcatElements}.
 */
public abstract class ClusterBridge extends LifecycleMBeanBase implements Cluster {
  ClusterBridge() {}
}
