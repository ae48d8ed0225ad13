package dev.cohort.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The harness end to end, small: two node JVMs, a few users, two seconds of load. */
class E2eHarnessIT {
  @TempDir Path out;

  private E2eOptions options(SystemKind system) {
    return new E2eOptions(
        List.of(system),
        Set.of("steady"),
        2,
        20,
        4,
        1,
        2,
        1,
        List.of(),
        List.of(),
        List.of(),
        "256m",
        120,
        out);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void cohortNodesServeVerifiedCountersAndReplicate_inSteadyRun() throws Exception {
    E2eResults r = new E2eBench(options(SystemKind.COHORT_BACKUP_SYNC)).run();

    assertThat(r.notes).isEmpty();
    assertThat(r.steady).hasSize(1);
    E2eResults.Steady s = r.steady.get(0);
    assertThat(s.requests()).isGreaterThan(20);
    assertThat(s.errors()).isZero();
    assertThat(s.bytesPerRequest()).isPositive();
    Path md = r.write(r.options);
    assertThat(Files.readString(md)).contains("| cohort-backup-sync |");
    assertThat(out.resolve("throughput.svg")).exists();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void tomcatDeltaManagerNodesFormAClusterAndReplicate_inSteadyRun() throws Exception {
    E2eResults r = new E2eBench(options(SystemKind.TOMCAT_DELTA_SYNC)).run();

    assertThat(r.notes).isEmpty();
    E2eResults.Steady s = r.steady.get(0);
    assertThat(s.requests()).isGreaterThan(20);
    assertThat(s.errors()).isZero();
    assertThat(s.bytesPerRequest()).isPositive();
  }
}
