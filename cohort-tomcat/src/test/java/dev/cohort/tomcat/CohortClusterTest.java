package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tomcat.migrate.TomcatCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.core.StandardEngine;
import org.apache.catalina.session.StandardManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CohortClusterTest {

  @Test
  void start_withoutJvmRoute_failsNamingJvmRoute() {
    CohortCluster cluster = new CohortCluster();
    cluster.setContainer(new StandardEngine());
    assertThatThrownBy(cluster::start)
        .isInstanceOf(LifecycleException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("jvmRoute"));
  }

  @Test
  void start_withABadAttribute_failsNamingIt() {
    CohortCluster cluster = inAnEngine();
    cluster.setBackups(17);
    assertThatThrownBy(cluster::start)
        .isInstanceOf(LifecycleException.class)
        .satisfies(e -> assertThat(rootMessage(e)).startsWith("backups:"));
  }

  @Test
  void start_withTheClusterPortBeyondLoopbackAndNoSecret_failsNamingSecret() {
    CohortCluster cluster = inAnEngine();
    cluster.setBindAddress("0.0.0.0");
    assertThatThrownBy(cluster::start)
        .isInstanceOf(LifecycleException.class)
        .satisfies(
            e ->
                assertThat(rootMessage(e))
                    .startsWith("secret: required when the cluster port binds 0.0.0.0")
                    .contains("insecure=true"));
  }

  @Test
  void secretFile_isRead_andCannotBeCombinedWithSecret(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("secret"), "from-a-file-0123456789\n");
    CohortSettings s = new CohortSettings();
    s.secretFile = file.toString();
    assertThat(s.build("n1", "").secret()).isEqualTo("from-a-file-0123456789");
    s.secret = "inline-secret-0123456789";
    assertThatThrownBy(() -> s.build("n1", "")).hasMessageStartingWith("secretFile:");
    s.secret = null;
    s.secretFile = dir.resolve("missing").toString();
    assertThatThrownBy(() -> s.build("n1", "")).hasMessageStartingWith("secretFile: cannot read");
  }

  @Test
  void createManager_givesEachContextItsOwnCopyOfTheSettings() {
    CohortCluster cluster = new CohortCluster();
    cluster.setMode("all");
    ReplicatedManager a = (ReplicatedManager) cluster.createManager("/a");
    cluster.setMode("backup");
    assertThat(a.settings.mode).isEqualTo("all");
    assertThat(cluster.engines()).isEmpty(); // nothing started yet
  }

  @Test
  void compatibilityManagers_mapTomcatAttributes_andLogIgnoredOnesOnce() {
    List<String> warnings = new ArrayList<>();
    Logger jul = Logger.getLogger(CompatibilityManager.class.getName());
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            warnings.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jul.addHandler(h);
    try {
      BackupManager backup = new BackupManager();
      backup.setRpcTimeout(7000);
      backup.setMapSendOptions("6");
      backup.setMapSendOptions("6");
      DeltaManager delta = new DeltaManager();
      delta.setStateTransferTimeout(30); // seconds, as in Tomcat
      delta.setExpireSessionsOnShutdown(true);

      assertThat(backup.settings.mode).isEqualTo("backup");
      assertThat(backup.settings.syncTimeout).isEqualTo(7000);
      assertThat(delta.settings.mode).isEqualTo("all");
      assertThat(delta.settings.stateTransferTimeout).isEqualTo(30_000);
      assertThat(delta.isExpireSessionsOnShutdown()).isTrue();
      assertThat(warnings).filteredOn(w -> w.contains("mapSendOptions")).hasSize(1);
    } finally {
      jul.removeHandler(h);
    }
  }

  @Test
  void attributeFilters_onTheCluster_reachEveryContextsManager() {
    CohortCluster cluster = new CohortCluster();
    cluster.setSessionAttributeNameFilter("cart|user");
    cluster.setSessionAttributeValueClassNameFilter("java\\.lang\\..*");
    cluster.setWarnOnSessionAttributeFilterFailure(true);
    cluster.setExpireSessionsOnShutdown(true);

    ReplicatedManager m = (ReplicatedManager) cluster.createManager("/a");

    assertThat(m.getSessionAttributeNameFilter()).isEqualTo("cart|user");
    assertThat(m.getSessionAttributeValueClassNameFilter()).isEqualTo("java\\.lang\\..*");
    assertThat(m.getWarnOnSessionAttributeFilterFailure()).isTrue();
    assertThat(m.isExpireSessionsOnShutdown()).isTrue();
    assertThat(
            ((ReplicatedManager) new CohortCluster().createManager("/b"))
                .getSessionAttributeNameFilter())
        .isNull();
  }

  @Test
  void start_withABadAttributeFilter_failsNamingIt() {
    CohortCluster cluster = inAnEngine();
    cluster.setSessionAttributeValueClassNameFilter("java.lang.(");
    assertThatThrownBy(cluster::start)
        .isInstanceOf(LifecycleException.class)
        .hasMessageContaining(
            "invalid <Cluster> configuration: sessionAttributeValueClassNameFilter: not a valid"
                + " regular expression");
  }

  // what Tomcat's digester hands CohortCluster from a server.xml half-migrated from
  // SimpleTcpCluster (the Tribes-typed methods that call these are in the -all jar: DistributionIT)
  @Test
  void tomcatsManagerTemplateAndSendOptions_mapToModeSyncAndFilters() {
    TomcatElements tomcat = new TomcatElements();
    StandardManager template = new StandardManager();
    template.setSessionAttributeNameFilter("count");
    tomcat.managerTemplate(TomcatCluster.DELTA_MANAGER, template);
    tomcat.channelSendOptions("async");
    CohortSettings s = new CohortSettings();

    tomcat.applyTo(s, Set.of());

    assertThat(s.mode).isEqualTo("all");
    assertThat(s.sync).isFalse();
    assertThat(s.sessionAttributeNameFilter).isEqualTo("count");
    assertThat(s.sessionAttributeValueClassNameFilter).isNull();
  }

  @Test
  void aReplicationValvesFilter_becomesReplicationFilter_otherValvesAreOnlyLogged() {
    TomcatElements tomcat = new TomcatElements();
    tomcat.valve(TomcatCluster.REPLICATION_VALVE, new FilterValve(".*\\.gif"));
    tomcat.valve("org.apache.catalina.ha.session.JvmRouteBinderValve", new FilterValve("x"));
    CohortSettings s = new CohortSettings();

    tomcat.applyTo(s, Set.of());

    assertThat(s.replicationFilter).isEqualTo(".*\\.gif");
  }

  @Test
  void aMappedValueThatContradictsTheClustersOwnAttribute_failsStartNamingBoth() {
    CohortCluster cluster = inAnEngine();
    cluster.setMode("backup");
    cluster.setSync(true);
    cluster.tomcatElements().managerTemplate(TomcatCluster.BACKUP_MANAGER, new StandardManager());
    cluster.setChannelSendOptions("8");

    assertThatThrownBy(cluster::start)
        .isInstanceOf(LifecycleException.class)
        .satisfies(
            e ->
                assertThat(rootMessage(e))
                    .isEqualTo(
                        "sync: <Cluster sync=\"true\"> and channelSendOptions=\"8\""
                            + " (sync=\"false\") disagree — remove one of them"));
  }

  @Test
  void aBadChannelSendOptions_failsStartNamingIt() {
    CohortCluster cluster = inAnEngine();
    cluster.setChannelSendOptions("fast");
    assertThatThrownBy(cluster::start)
        .isInstanceOf(LifecycleException.class)
        .satisfies(e -> assertThat(rootMessage(e)).startsWith("channelSendOptions: 'fast'"));
  }

  /** Stands for Tomcat's ReplicationValve: only its getFilter() is read. */
  public static final class FilterValve {
    private final String filter;

    FilterValve(String filter) {
      this.filter = filter;
    }

    public String getFilter() {
      return filter;
    }
  }

  /** A cluster in an Engine with jvmRoute n1, not started. */
  private static CohortCluster inAnEngine() {
    StandardEngine engine = new StandardEngine();
    engine.setJvmRoute("n1");
    CohortCluster cluster = new CohortCluster();
    cluster.setContainer(engine);
    return cluster;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
