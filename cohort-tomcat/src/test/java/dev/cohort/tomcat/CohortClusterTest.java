package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.core.StandardEngine;
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
    StandardEngine engine = new StandardEngine();
    engine.setJvmRoute("n1");
    CohortCluster cluster = new CohortCluster();
    cluster.setContainer(engine);
    cluster.setBackups(17);
    assertThatThrownBy(cluster::start)
        .isInstanceOf(LifecycleException.class)
        .satisfies(e -> assertThat(rootMessage(e)).startsWith("backups:"));
  }

  @Test
  void start_withTheClusterPortBeyondLoopbackAndNoSecret_failsNamingSecret() {
    StandardEngine engine = new StandardEngine();
    engine.setJvmRoute("n1");
    CohortCluster cluster = new CohortCluster();
    cluster.setContainer(engine);
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

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
