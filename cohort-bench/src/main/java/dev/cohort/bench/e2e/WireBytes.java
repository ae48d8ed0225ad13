package dev.cohort.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * TCP payload bytes on the cluster connections, as the kernel counts them ({@code ss -tin}, {@code
 * bytes_acked} of every socket with a cluster port at either end): the same ruler for Tomcat's
 * tribes and Cohort's JGroups, headers and heartbeats included. Sockets that closed between two
 * readings are missed, so compare readings taken while the cluster is stable.
 */
final class WireBytes {
  private WireBytes() {}

  /** The sum, or -1 when {@code ss} is not available. */
  static long read(Set<Integer> clusterPorts) {
    String out;
    try {
      Process p =
          new ProcessBuilder("ss", "-tinH", "state", "established")
              .redirectErrorStream(true)
              .start();
      byte[] bytes = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return -1;
      }
      out = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
    return sum(out, clusterPorts);
  }

  /** Parses {@code ss -tinH} output: a socket line, then its indented detail line. */
  static long sum(String ssOutput, Set<Integer> clusterPorts) {
    long total = 0;
    boolean ours = false;
    for (String line : ssOutput.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (!Character.isWhitespace(line.charAt(0))) {
        String[] f = line.trim().split("\\s+");
        ours =
            f.length >= 4
                && (clusterPorts.contains(port(f[2])) || clusterPorts.contains(port(f[3])));
        continue;
      }
      if (ours) {
        int i = line.indexOf("bytes_acked:");
        if (i >= 0) {
          int j = i + "bytes_acked:".length();
          int k = j;
          while (k < line.length() && Character.isDigit(line.charAt(k))) {
            k++;
          }
          total += Long.parseLong(line.substring(j, k));
        }
        ours = false;
      }
    }
    return total;
  }

  private static int port(String address) {
    int colon = address.lastIndexOf(':');
    try {
      return Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
