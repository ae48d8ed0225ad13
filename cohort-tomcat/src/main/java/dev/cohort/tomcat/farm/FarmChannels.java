package dev.cohort.tomcat.farm;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.jgroups.JGroupsChannel;
import dev.cohort.jgroups.JGroupsConfig;
import dev.cohort.tomcat.NodeConfig;

/**
 * The farm's own JGroups channel, built from the node's channel settings: cluster name {@code
 * <clusterName>:farm} (a context path always starts with '/', so it never meets a session engine's
 * cluster), transport port {@code farmPort}. With static discovery every listed member is expected
 * {@code farmPort - port} above its cluster port, so all nodes must use the same offset (the
 * default, cluster port + 1000, does).
 */
public final class FarmChannels {
  private FarmChannels() {}

  /**
   * @param node the node's validated settings (any context's)
   * @param clusterName the {@code <Cluster>}'s clusterName (without a context path)
   * @param farmPort the farm channel's first port
   * @throws IllegalArgumentException naming the option that is wrong
   */
  public static JGroupsConfig config(NodeConfig node, String clusterName, int farmPort) {
    if (farmPort < 1 || farmPort > 65535) {
      throw new IllegalArgumentException("farmPort: " + farmPort + " is not a port");
    }
    return new JGroupsConfig(
        clusterName + ":farm",
        node.nodeName(),
        node.bindAddress(),
        farmPort,
        node.discovery().startsWith("static:") ? 0 : node.portRange(),
        shift(node.discovery(), farmPort - node.port()),
        node.heartbeat(),
        node.dropTime(),
        node.secret(),
        node.engine().maxFrameBytes(),
        node.insecure());
  }

  public static ClusterChannel jgroups(JGroupsConfig config) {
    return new JGroupsChannel(config);
  }

  /** {@code static:h:p,...} with every port moved by {@code offset}; other discoveries as is. */
  static String shift(String discovery, int offset) {
    if (!discovery.startsWith("static:")) {
      return discovery;
    }
    StringBuilder b = new StringBuilder("static:");
    String[] members = discovery.substring("static:".length()).split(",");
    for (int i = 0; i < members.length; i++) {
      String m = members[i].trim();
      int colon = m.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("discovery: '" + m + "' is not host:port");
      }
      int port;
      try {
        port = Integer.parseInt(m.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("discovery: '" + m + "' is not host:port", e);
      }
      if (port + offset < 1 || port + offset > 65535) {
        throw new IllegalArgumentException(
            "farmPort: member " + m + " moved by " + offset + " is not a port — lower farmPort");
      }
      b.append(i == 0 ? "" : ",").append(m, 0, colon + 1).append(port + offset);
    }
    return b.toString();
  }
}
