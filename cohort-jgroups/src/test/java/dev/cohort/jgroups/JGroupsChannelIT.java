package dev.cohort.jgroups;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.testkit.ClusterChannelContract;
import java.util.List;

/** The channel contract over real JGroups stacks on 127.0.0.1 with static discovery. */
class JGroupsChannelIT extends ClusterChannelContract {
  private final String cluster = TestClusters.uniqueName("contract");
  private final List<Integer> ports = TestClusters.freePorts(4);
  private int next;

  @Override
  protected ClusterChannel newChannel(String name) {
    int port = ports.get(next++);
    return new JGroupsChannel(TestClusters.staticConfig(cluster, name, port, ports));
  }
}
