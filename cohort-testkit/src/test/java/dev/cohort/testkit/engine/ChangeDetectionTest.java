package dev.cohort.testkit.engine;

import static dev.cohort.testkit.engine.EngineCluster.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.session.SessionRecord;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ChangeDetectionTest {
  EngineCluster c = new EngineCluster(EngineCluster.testConfig());
  SessionEngine n1;
  SessionEngine holder;

  @BeforeEach
  void setUp() throws Exception {
    c.startAll("n1", "n2");
    n1 = c.get("n1");
    holder = c.get("n2");
    n1.commit(c.create("s", attrs("cart", new byte[] {1, 2, 3}, "user", new byte[] {9})))
        .get(5, TimeUnit.SECONDS);
    // the second request clears the Servlet isNew flag: one metadata delta
    n1.commit(c.set("s", attrs())).get(5, TimeUnit.SECONDS);
    baseline = n1.stats().deltasSent();
    assertThat(baseline).isEqualTo(1);
  }

  long baseline;

  long deltas() {
    return n1.stats().deltasSent() - baseline;
  }

  @AfterEach
  void tearDown() {
    c.close();
  }

  @Test
  void equalReSetShipsNothing() throws Exception {
    long sent = n1.stats().bytesSent();
    n1.commit(c.set("s", attrs("cart", new byte[] {1, 2, 3}))).get(5, TimeUnit.SECONDS);
    assertThat(deltas()).isZero();
    assertThat(n1.stats().bytesSent()).isEqualTo(sent);
  }

  @Test
  void readOnlyRequestShipsNothing_butMovesTheOwnersAccessTime() throws Exception {
    c.clock.advanceMillis(5000);
    n1.commit(c.set("s", attrs())).get(5, TimeUnit.SECONDS);
    assertThat(deltas()).isZero();
    SessionRecord own = n1.acquire("s").orElseThrow();
    assertThat(own.lastAccessedTime()).isEqualTo(c.clock.millis());
    assertThat(own.version()).isEqualTo(2);
  }

  @Test
  void inPlaceMutationShips_whenReadAttributeBytesChanged() throws Exception {
    // the adapter passes an attribute that was only read; its bytes changed (cart.add(4))
    n1.commit(c.set("s", attrs("cart", new byte[] {1, 2, 3, 4}))).get(5, TimeUnit.SECONDS);
    assertThat(deltas()).isEqualTo(1);
    SessionRecord replica = holder.acquire("s").orElseThrow();
    assertThat(replica.attributes().get("cart")).containsExactly(1, 2, 3, 4);
    assertThat(replica.attributes().get("user")).containsExactly(9);
  }

  @Test
  void removedAttributeShipsAndDisappearsOnTheHolder() throws Exception {
    n1.commit(c.remove("s", "user")).get(5, TimeUnit.SECONDS);
    assertThat(deltas()).isEqualTo(1);
    assertThat(holder.acquire("s").orElseThrow().attributes()).containsOnlyKeys("cart");
  }

  @Test
  void removingAnAbsentAttributeShipsNothing() throws Exception {
    n1.commit(c.remove("s", "never-set")).get(5, TimeUnit.SECONDS);
    assertThat(deltas()).isZero();
  }
}
