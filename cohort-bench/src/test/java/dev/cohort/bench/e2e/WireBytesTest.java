package dev.cohort.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class WireBytesTest {
  private static final String SS =
      "0 0 127.0.0.1:7801 127.0.0.1:50000\n"
          + "\t bbr wscale:10,10 rto:200 bytes_acked:1000 segs_out:2\n"
          + "0 0 [::ffff:127.0.0.1]:50000 [::ffff:127.0.0.1]:7801\n"
          + "\t bbr bytes_sent:77 bytes_acked:250 segs_out:2\n"
          + "0 0 127.0.0.1:9999 127.0.0.1:8888\n"
          + "\t bbr bytes_acked:123456\n"
          + "0 0 127.0.0.1:7802 127.0.0.1:40000\n"
          + "\t bbr rto:200 segs_in:1\n";

  @Test
  void sumsAckedBytesOfSocketsWithAClusterPortAtEitherEnd() {
    assertThat(WireBytes.sum(SS, Set.of(7801, 7802))).isEqualTo(1250);
  }

  @Test
  void ignoresEverySocketWhenNoClusterPortMatches() {
    assertThat(WireBytes.sum(SS, Set.of(1))).isZero();
  }
}
