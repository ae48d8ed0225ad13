package dev.cohort.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.Mode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scale simulation on a small in-memory cluster (no sockets). */
class ScaleSimTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void allModeSendsToEveryOtherMemberWhileBackupSendsToOne() throws Exception {
    ScaleSim.Point all = ScaleSim.run(Mode.ALL, 5, 40, 200, 2);
    ScaleSim.Point backup = ScaleSim.run(Mode.BACKUP, 5, 40, 200, 2);

    assertThat(all.requests()).isEqualTo(200);
    // a synchronous delta is one request and one acknowledgement per holder
    assertThat(all.messagesPerRequest()).isGreaterThan(backup.messagesPerRequest() * 2);
    assertThat(backup.messagesPerRequest()).isBetween(1.0, 2.5);
    assertThat(all.replicasPerMember()).isGreaterThan(backup.replicasPerMember());
  }
}
