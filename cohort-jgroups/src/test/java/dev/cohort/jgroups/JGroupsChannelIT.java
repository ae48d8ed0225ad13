package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.testkit.ClusterChannelContract;
import java.time.Duration;
import java.util.List;

/** The channel contract over real JGroups stacks on 127.0.0.1 with static discovery. */
class JGroupsChannelIT extends ClusterChannelContract {
  private final String cluster = TestClusters.uniqueName("contract");
  private final List<Integer> ports = TestClusters.freePorts(4);
  private int next;

  /** Every thread a closed channel started is gone: ours by prefix, JGroups' by cluster name. */
  @Override
  protected void afterClusterClosed() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        Thread.getAllStackTraces().keySet().stream()
                            .filter(Thread::isAlive)
                            .map(Thread::getName)
                            .filter(n -> n.startsWith("cohort-jgroups-") || n.contains(cluster)))
                    .as("threads left by the closed channels")
                    .isEmpty());
  }

  @Override
  protected ClusterChannel newChannel(String name) {
    return new JGroupsChannel(nextConfig(name));
  }

  /** The static-discovery config of the next member of this test's cluster. */
  protected JGroupsConfig nextConfig(String name) {
    int port = ports.get(next++);
    return TestClusters.staticConfig(cluster, name, port, ports);
  }
}
