package dev.cohort.tomcat.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TomcatClusterTest {

  // the cases Tomcat's documentation names (config/cluster.html, channelSendOptions), as numbers
  // and as names
  @ParameterizedTest(name = "channelSendOptions=\"{0}\" -> sync={1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "8; false",
        "async; false",
        "asynchronous; false",
        "6; true",
        "use_ack,sync; true",
        "USE_ACK, synchronized_ack; true",
        "2; true",
        "use_ack; true",
        "10; false",
        "0; false"
      })
  void sendOptions_mapToSync(String value, boolean sync) {
    TomcatCluster.SendOptions o = TomcatCluster.sendOptions(value);
    assertThat(o.sync()).isEqualTo(sync);
    assertThat(o.meaning()).contains("sync=\"" + sync + "\"");
    assertThat(o.ignored()).isEmpty();
  }

  @Test
  void sendOptions_flagsCohortHasNoUseFor_areListedWithTheReason() {
    assertThat(TomcatCluster.sendOptions("4").ignored())
        .containsExactly("sync without use_ack (no effect in Tomcat either)");
    assertThat(TomcatCluster.sendOptions("4").sync()).isFalse();
    assertThat(TomcatCluster.sendOptions("byte,use_ack,udp").ignored())
        .containsExactly(
            "byte_message (Cohort serializes attributes itself)",
            "udp (Cohort's transport is TCP)");
    assertThat(TomcatCluster.sendOptions("128").ignored())
        .containsExactly("128 (not a Tomcat send option)");
  }

  @Test
  void sendOptions_notTomcats_isRefusedNamingTheAttribute() {
    assertThatThrownBy(() -> TomcatCluster.sendOptions("fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("channelSendOptions: 'fast' is not one of Tomcat's send options");
    assertThatThrownBy(() -> TomcatCluster.sendOptions(" "))
        .hasMessageStartingWith("channelSendOptions: empty");
  }

  @Test
  void managers_mapToModes_otherClassesDoNot() {
    assertThat(TomcatCluster.mode(TomcatCluster.DELTA_MANAGER)).contains("all");
    assertThat(TomcatCluster.mode(TomcatCluster.BACKUP_MANAGER)).contains("backup");
    assertThat(TomcatCluster.mode("dev.cohort.tomcat.DeltaManager")).isEmpty();
  }
}
