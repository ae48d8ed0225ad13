package dev.cohort.testkit;

import dev.cohort.core.channel.ClusterChannel;
import org.junit.jupiter.api.AfterEach;

class InMemoryChannelTest extends ClusterChannelContract {
  private final InMemoryNetwork net = new InMemoryNetwork();

  @Override
  protected ClusterChannel newChannel(String name) {
    return net.newChannel(name);
  }

  @AfterEach
  void closeNetwork() {
    net.close();
  }
}
