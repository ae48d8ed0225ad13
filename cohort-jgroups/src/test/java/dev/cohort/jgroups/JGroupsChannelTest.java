package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.channel.ChannelException;
import dev.cohort.core.channel.Member;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jgroups.protocols.BasicTCP;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a channel does before it touches the network (no sockets are opened here). */
class JGroupsChannelTest {
  private final Logger jul = Logger.getLogger(JGroupsChannel.class.getName());
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    jul.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    jul.removeHandler(capture);
  }

  private List<LogRecord> warnings() {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
        .toList();
  }

  @Test
  void nonLoopbackBindWithoutSecret_withTheInsecureOptOut_warnsNamingTheSecretSetting() {
    try (JGroupsChannel ch =
        new JGroupsChannel(JGroupsConfig.defaults("n1", "0.0.0.0").withInsecure(true))) {
      assertThat(warnings())
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r.getMessage())
                      .startsWith("INSECURE")
                      .contains("without a secret")
                      .contains("0.0.0.0"));
    }
  }

  @Test
  void loopbackBind_orASecret_doesNotWarn() {
    try (JGroupsChannel a = new JGroupsChannel(JGroupsConfig.defaults("n1", "127.0.0.1"));
        JGroupsChannel b =
            new JGroupsChannel(
                JGroupsConfig.defaults("n2", "0.0.0.0").withSecret("0123456789abcdef"))) {
      assertThat(warnings()).isEmpty();
    }
  }

  @Test
  void unconnectedChannel_refusesToActButNeverThrowsOnSend() {
    try (JGroupsChannel ch = new JGroupsChannel(JGroupsConfig.defaults("n1", "127.0.0.1"))) {
      assertThat(ch.view().members()).isEmpty();
      assertThatThrownBy(ch::localMember).isInstanceOf(IllegalStateException.class);
      Member someone = new Member("id", "n2");
      ch.send(List.of(someone), new byte[] {1}); // dropped silently
      assertThat(ch.request(List.of(someone), new byte[] {1}, Duration.ofSeconds(1)))
          .isCompletedExceptionally();
      assertThat(ch.request(List.of(), new byte[] {1}, Duration.ofSeconds(1))).isCompleted();
      assertThatThrownBy(() -> ch.openBulk(someone, "t")).isInstanceOf(ChannelException.class);
    }
  }

  @Test
  void closedChannel_cannotConnect_andCloseIsIdempotent() {
    JGroupsChannel ch = new JGroupsChannel(JGroupsConfig.defaults("n1", "127.0.0.1"));
    ch.close();
    ch.close();
    assertThatThrownBy(ch::connect)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void transportSendsSmallMessagesAtOnce_nagleIsOff() {
    // JGroups 5.5's default keeps Nagle on: sync commits then stalled 40 ms on delayed ACKs
    JGroupsConfig c = TestClusters.staticConfig("nodelay", "n1", 7800, List.of(7800));
    List<Protocol> stack =
        StackBuilder.build(c, InetAddress.getLoopbackAddress(), null, new SuspectTap());
    assertThat(stack.get(0)).isInstanceOf(BasicTCP.class);
    assertThat(((BasicTCP) stack.get(0)).tcpNodelay()).isTrue();
  }
}
