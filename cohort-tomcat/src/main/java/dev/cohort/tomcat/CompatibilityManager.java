package dev.cohort.tomcat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Tomcat's cluster manager attributes on top of {@link ReplicatedManager}, so that a context.xml
 * written for {@code org.apache.catalina.ha.session.DeltaManager} / {@code BackupManager} works
 * after changing the package. Attributes that still make sense are mapped; the others are accepted
 * and logged once by name (WARNING), never silently dropped.
 */
abstract class CompatibilityManager extends ReplicatedManager {
  private static final Log log = LogFactory.getLog(CompatibilityManager.class);
  private static final Set<String> warned = ConcurrentHashMap.newKeySet();

  CompatibilityManager(String mode) {
    settings.mode = mode;
  }

  final void ignored(String attribute) {
    if (warned.add(getClass().getSimpleName() + "." + attribute)) {
      log.warn(
          "cohort: "
              + getClass().getSimpleName()
              + " attribute '"
              + attribute
              + "' is ignored: Cohort has no equivalent (see docs/tomcat.md, migrating)");
    }
  }

  /** In <em>seconds</em>, as in Tomcat (ReplicatedManager and CohortCluster take milliseconds). */
  @Override
  public void setStateTransferTimeout(long seconds) {
    settings.stateTransferTimeout = seconds * 1000L;
  }

  /** Cohort never fires listeners on replicas (they hold bytes only); accepted and ignored. */
  public void setNotifyListenersOnReplication(boolean notify) {
    ignored("notifyListenersOnReplication");
  }

  public void setNotifySessionListenersOnReplication(boolean notify) {
    ignored("notifySessionListenersOnReplication");
  }

  public void setNotifyContainerListenersOnReplication(boolean notify) {
    ignored("notifyContainerListenersOnReplication");
  }

  public void setName(String name) {
    ignored("name");
  }

  public void setRecordAllActions(boolean record) {
    ignored("recordAllActions");
  }

  public void setEnableStatistics(boolean enable) {
    ignored("enableStatistics");
  }
}
