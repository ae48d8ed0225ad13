package dev.cohort.tomcat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * One Cohort node in its own JVM, for the multi-process tests and the benchmark: an embedded Tomcat
 * on 127.0.0.1 (ephemeral HTTP port) with the counter webapp and a CohortCluster on JGroups.
 *
 * <p>Args: {@code name mode sync(true|false) clusterName clusterPort discovery [store
 * [storeSync]]}. Prints {@code READY <httpPort>} when serving; a line {@code stop} on stdin (or its
 * end) stops it gracefully.
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) throws Exception {
    String name = args[0];
    EmbeddedNode node =
        EmbeddedNode.start(
            name,
            c -> {
              c.setMode(args[1]);
              c.setSync(Boolean.parseBoolean(args[2]));
              c.setClusterName(args[3]);
              c.setPort(Integer.parseInt(args[4]));
              c.setPortRange(0);
              c.setDiscovery(args[5]);
              c.setBindAddress("127.0.0.1");
              c.setHeartbeat(500);
              c.setDropTime(2000);
              c.setSyncTimeout(5000);
              c.setDrainTimeout(5000);
              c.setStateTransferTimeout(20_000);
              if (args.length > 6) {
                c.setStore(args[6]);
              }
              if (args.length > 7) {
                c.setStoreSync(Boolean.parseBoolean(args[7]));
              }
            });
    System.out.println("READY " + node.port());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
      // wait
    }
    node.close();
    System.exit(0);
  }
}
