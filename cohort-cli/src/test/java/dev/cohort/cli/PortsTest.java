package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

  // a chaos run failed to start: a node's admin port, picked by the OS from the ephemeral range,
  // was taken by another process before the node bound it
  @Test
  void freePorts_areBelowTheEphemeralRange_freeNow_andNeverHandedOutTwice() {
    Set<Integer> seen = new HashSet<>();
    int block = Ports.freeBlock(3, 100);
    for (int p = block; p < block + 3; p++) {
      seen.add(p);
      seen.add(p + 100);
    }
    for (int i = 0; i < 200; i++) {
      int p = Ports.free();
      assertThat(p).isBetween(20_000, Ports.ephemeralRangeStart() - 1);
      assertThat(Ports.isFree("127.0.0.1", p)).isTrue();
      assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
    }
  }
}
