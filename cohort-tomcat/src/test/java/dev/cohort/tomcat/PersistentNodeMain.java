package dev.cohort.tomcat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * One Tomcat in persistent mode (no cluster) in its own JVM, for the kill tests and the benchmark.
 *
 * <p>Args: {@code name store storeSync(true|false) maxIdleSwap}. Prints {@code READY <httpPort>}
 * when serving; a line {@code stop} on stdin (or its end) stops it gracefully.
 */
public final class PersistentNodeMain {
  private PersistentNodeMain() {}

  public static void main(String[] args) throws Exception {
    PersistentNode node =
        PersistentNode.start(
            args[0],
            m -> {
              m.setStore(args[1]);
              m.setStoreSync(Boolean.parseBoolean(args[2]));
              m.setMaxIdleSwap(Integer.parseInt(args[3]));
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
