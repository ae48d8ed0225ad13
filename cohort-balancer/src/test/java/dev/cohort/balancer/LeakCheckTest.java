package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** The leak check the integration tests rely on sees a leak when there is one. */
class LeakCheckTest {
  @Test
  void aBufferThatIsNeverReleasedIsReported() throws Exception {
    LeakCheck.install();
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    int before = LeakCheck.leaksAfterGc().size();
    leak();
    assertThat(LeakCheck.leaksAfterGc()).hasSizeGreaterThan(before);
  }

  private static void leak() {
    ByteBuf b = ByteBufAllocator.DEFAULT.buffer(16);
    b.writeInt(42); // and dropped without release()
  }
}
