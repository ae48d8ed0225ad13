package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jgroups.Event;
import org.jgroups.protocols.PingData;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Responses;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The joiner's discovery wait, above a discovery protocol that answers from a script. */
class SealedDiscoveryWaitTest {
  private static final long JOIN_TIMEOUT = 200;

  private final ClusterKeys keys =
      new ClusterKeys("s3cret-s3cret-s3cret", "c1", "test-kdf", System::nanoTime, 1000);

  /** Discovery that finds a member from its {@code answerFrom}-th round on (0: never). */
  private static final class ScriptedDiscovery extends Protocol {
    final AtomicInteger rounds = new AtomicInteger();
    final int answerFrom;

    ScriptedDiscovery(int answerFrom) {
      this.answerFrom = answerFrom;
    }

    @Override
    public Object down(Event evt) {
      int round = rounds.incrementAndGet();
      Responses r = new Responses(true);
      if (answerFrom > 0 && round >= answerFrom) {
        r.addResponse(new PingData(UUID.randomUUID(), true).coord(true), false);
      }
      return r;
    }
  }

  private SealedDiscoveryWait over(ScriptedDiscovery discovery) throws Exception {
    SealedDiscoveryWait wait = new SealedDiscoveryWait(keys, 5_000);
    wait.setDownProtocol(discovery);
    wait.start();
    return wait;
  }

  private static Responses join(SealedDiscoveryWait wait) {
    return (Responses) wait.down(new Event(Event.FIND_INITIAL_MBRS, JOIN_TIMEOUT));
  }

  @AfterEach
  void close() {
    keys.close();
  }

  @Test
  void aNodeThatHearsNothingUnreadable_formsItsClusterAfterOneRound() throws Exception {
    ScriptedDiscovery discovery = new ScriptedDiscovery(0);

    Responses found = join(over(discovery));

    assertThat(found.isEmpty()).isTrue();
    assertThat(found.isDone()).as("GMS must not wait a second join timeout").isTrue();
    assertThat(discovery.rounds.get()).isEqualTo(1);
  }

  @Test
  void aJoinerThatHeardAFrameItCannotReadYet_asksAgainUntilAMemberAnswers() throws Exception {
    ScriptedDiscovery discovery = new ScriptedDiscovery(3);
    SealedDiscoveryWait wait = over(discovery);
    // a member's discovery request under the cluster's salt, which this joiner has not derived
    assertThat(keys.lookup(Salt.random(new SecureRandom()))).isNull();

    Responses found = join(wait);

    assertThat(found.size()).isEqualTo(1);
    assertThat(found.isDone()).isTrue();
    assertThat(discovery.rounds.get()).isEqualTo(3);
  }

  @Test
  void framesHeardBeforeTheChannelStarted_doNotCount() throws Exception {
    assertThat(keys.lookup(Salt.random(new SecureRandom()))).isNull();
    awaitDerivations();
    ScriptedDiscovery discovery = new ScriptedDiscovery(3);

    Responses found = join(over(discovery));

    assertThat(found.isEmpty()).isTrue();
    assertThat(discovery.rounds.get()).isEqualTo(1);
  }

  @Test
  void theWaitIsBounded_whenNobodyEverAnswers() throws Exception {
    ScriptedDiscovery discovery = new ScriptedDiscovery(0);
    SealedDiscoveryWait wait = new SealedDiscoveryWait(keys, 1_000);
    wait.setDownProtocol(discovery);
    wait.start();
    assertThat(keys.lookup(Salt.random(new SecureRandom()))).isNull();

    Responses found = join(wait);

    assertThat(found.isEmpty()).isTrue();
    assertThat(found.isDone()).isTrue();
    // the first round, then at least one more; each extra round waits its full 250 ms (nobody
    // answers), so 1 s of patience holds about 4 of them however slow the machine is
    assertThat(discovery.rounds.get()).isBetween(2, 6);
  }

  private void awaitDerivations() {
    await().atMost(Duration.ofSeconds(10)).until(() -> !keys.deriving());
  }
}
