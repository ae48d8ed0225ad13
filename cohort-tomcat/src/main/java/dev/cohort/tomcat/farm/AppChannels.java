package dev.cohort.tomcat.farm;

import dev.cohort.tomcat.ReplicatedManager;

/**
 * Where the session channel of a distributable farmed application listens: {@code farmPort + 1 +
 * slot}, the same on every node (the slot is in the catalogue). With static discovery the members
 * are looked for at their listed cluster port moved by the same offset, with no port range, so that
 * every node's copy of the application finds the others even when the node's own contexts took the
 * ports after its cluster port.
 *
 * @param clusterPort the Cluster's {@code port}
 * @param farmPort the farm channel's port
 * @param discovery the Cluster's discovery setting
 */
public record AppChannels(int clusterPort, int farmPort, String discovery) {

  int port(int slot) {
    return farmPort + 1 + slot;
  }

  void configure(ReplicatedManager manager, int slot) {
    int port = port(slot);
    manager.setPort(port);
    if (discovery.startsWith("static:")) {
      manager.setPortRange(0);
      manager.setDiscovery(FarmChannels.shift(discovery, port - clusterPort));
    }
  }
}
