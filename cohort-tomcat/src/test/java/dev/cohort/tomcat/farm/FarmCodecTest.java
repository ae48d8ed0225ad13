package dev.cohort.tomcat.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tomcat.farm.FarmMessage.Activate;
import dev.cohort.tomcat.farm.FarmMessage.Catalogue;
import dev.cohort.tomcat.farm.FarmMessage.GetCatalogue;
import dev.cohort.tomcat.farm.FarmMessage.GetReport;
import dev.cohort.tomcat.farm.FarmMessage.Has;
import dev.cohort.tomcat.farm.FarmMessage.Pull;
import dev.cohort.tomcat.farm.FarmMessage.Remove;
import dev.cohort.tomcat.farm.FarmMessage.Report;
import dev.cohort.tomcat.farm.FarmMessage.Result;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FarmCodecTest {
  private static final String SHA = "ab".repeat(32);
  private static final FarmApp APP =
      new FarmApp("shop", new AppVersion(3, "n1"), SHA, 1234, false, 2);

  @Test
  void everyMessage_roundTrips() {
    List<FarmMessage> all =
        List.of(
            new Has("shop", SHA),
            new Activate(APP),
            new Remove(FarmApp.tombstone("shop", new AppVersion(4, "n2"), 2)),
            new GetCatalogue(),
            new Pull(APP),
            new GetReport(),
            new Result(false, "deploying [shop] failed on n2: the context did not start"),
            new Catalogue(List.of(APP, FarmApp.tombstone("old", new AppVersion(1, "n3"), 0))),
            new Report(
                "n2",
                true,
                List.of(
                    NodeApp.running("shop", new AppVersion(3, "n1")),
                    new NodeApp(
                        "api",
                        NodeApp.State.FAILED,
                        new AppVersion(1, "n1"),
                        new AppVersion(2, "n1"),
                        "did not start"),
                    new NodeApp(
                        "old", NodeApp.State.REMOVED, null, new AppVersion(5, "n1"), null))));
    for (FarmMessage m : all) {
      assertThat(FarmCodec.decode(FarmCodec.encode(m))).isEqualTo(m);
    }
  }

  @Test
  void truncatedOrForeignFrames_areRejected_notCrashing() {
    byte[] frame = FarmCodec.encode(new Activate(APP));
    assertThatThrownBy(() -> FarmCodec.decode(Arrays.copyOf(frame, frame.length - 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated");
    byte[] future = frame.clone();
    future[0] = 9;
    assertThatThrownBy(() -> FarmCodec.decode(future)).hasMessageContaining("format 9");
    byte[] trailing = Arrays.copyOf(frame, frame.length + 1);
    assertThatThrownBy(() -> FarmCodec.decode(trailing)).hasMessageContaining("trailing");
  }

  @Test
  void aHugeCount_isRefusedBeforeAllocating() {
    byte[] frame = FarmCodec.encode(new Catalogue(List.of()));
    frame[2] = 0x7f; // count's high byte
    assertThatThrownBy(() -> FarmCodec.decode(frame)).hasMessageContaining("more than");
  }

  @Test
  void versionsOrder_byCounterThenOrigin() {
    assertThat(new AppVersion(2, "n1").isNewerThan(new AppVersion(1, "n9"))).isTrue();
    assertThat(new AppVersion(2, "n2").isNewerThan(new AppVersion(2, "n1"))).isTrue();
    assertThat(new AppVersion(2, "n1").isNewerThan(new AppVersion(2, "n1"))).isFalse();
    assertThat(AppVersion.parse("12@n3")).isEqualTo(new AppVersion(12, "n3"));
    assertThatThrownBy(() -> AppVersion.parse("n3")).hasMessageContaining("counter@origin");
  }

  @Test
  void applicationNames_mapToContextPaths_andBadOnesAreRefused() {
    assertThat(FarmApp.contextPath("ROOT")).isEmpty();
    assertThat(FarmApp.contextPath("shop")).isEqualTo("/shop");
    for (String bad : new String[] {"", ".hidden", "a/b", "x.war", "with space", "a".repeat(65)}) {
      assertThatThrownBy(() -> FarmApp.checkName(bad))
          .as(bad)
          .hasMessageContaining("application name");
    }
  }

  @Test
  void staticDiscovery_isMovedByTheFarmOffset_othersStay() {
    assertThat(FarmChannels.shift("static:127.0.0.1:7801,h2:7802", 1000))
        .isEqualTo("static:127.0.0.1:8801,h2:8802");
    assertThat(FarmChannels.shift("multicast", 1000)).isEqualTo("multicast");
    assertThatThrownBy(() -> FarmChannels.shift("static:h:65000", 1000))
        .hasMessageContaining("farmPort");
  }
}
