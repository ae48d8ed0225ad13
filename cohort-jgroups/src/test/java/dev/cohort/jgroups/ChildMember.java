package dev.cohort.jgroups;

import dev.cohort.core.channel.ClusterChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A cluster member in its own JVM, for crash tests: {@code ChildMember <cluster> <name> <port>
 * <port,port,...>}. Prints {@code READY <view size>} once connected, answers requests by echoing,
 * and runs until its stdin closes (or it is killed, which is the point).
 */
public final class ChildMember {
  private ChildMember() {}

  public static void main(String[] args) throws Exception {
    String cluster = args[0];
    String name = args[1];
    int port = Integer.parseInt(args[2]);
    List<Integer> ports = Arrays.stream(args[3].split(",")).map(Integer::valueOf).toList();
    try (ClusterChannel ch =
        new JGroupsChannel(TestClusters.staticConfig(cluster, name, port, ports))) {
      ch.setRequestHandler((from, payload) -> payload);
      ch.connect();
      System.out.println("READY " + ch.view().size());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // wait for the parent to close stdin, or for SIGKILL
      }
    }
  }
}
