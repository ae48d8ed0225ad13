package dev.cohort.tomcat.farm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The farm settings of one node, validated here ({@link IllegalArgumentException} names the
 * option).
 *
 * @param node this node's name (the Engine's jvmRoute)
 * @param dir the watch directory ({@code farmDir}); must not be the Host's appBase
 * @param scanInterval how often the watch directory is scanned; a file must keep its size and
 *     modification time for one interval before it is taken (so a copy in progress is never read)
 * @param chunkBytes bytes per chunk of a WAR stream
 * @param maxWarBytes largest WAR accepted from an upload, a drop or a member
 * @param requestTimeout how long a small request to a member waits (catalogue, report, has)
 * @param deployTimeout how long a transfer or a deploy on one member may take
 */
public record FarmConfig(
    String node,
    Path dir,
    Duration scanInterval,
    int chunkBytes,
    long maxWarBytes,
    Duration requestTimeout,
    Duration deployTimeout) {

  public static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(2);
  public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
  public static final long DEFAULT_MAX_WAR_BYTES = 512L * 1024 * 1024;

  public FarmConfig {
    if (node == null || node.isBlank()) {
      throw new IllegalArgumentException("jvmRoute: the farm needs the node name");
    }
    Objects.requireNonNull(dir, "farmDir");
    positive("farmScanInterval", scanInterval);
    positive("farm request timeout", requestTimeout);
    positive("farm deploy timeout", deployTimeout);
    if (chunkBytes < 1024 || chunkBytes > 8 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "farm chunk size: " + chunkBytes + " is not between 1 KiB and 8 MiB");
    }
    if (maxWarBytes < 1024) {
      throw new IllegalArgumentException(
          "farmMaxWarBytes: " + maxWarBytes + " is less than 1024 bytes");
    }
  }

  /** The defaults for {@code node} watching {@code dir}. */
  public static FarmConfig of(String node, Path dir) {
    return new FarmConfig(
        node,
        dir,
        DEFAULT_SCAN_INTERVAL,
        DEFAULT_CHUNK_BYTES,
        DEFAULT_MAX_WAR_BYTES,
        Duration.ofSeconds(10),
        Duration.ofMinutes(2));
  }

  public FarmConfig withScanInterval(Duration d) {
    return new FarmConfig(node, dir, d, chunkBytes, maxWarBytes, requestTimeout, deployTimeout);
  }

  public FarmConfig withMaxWarBytes(long max) {
    return new FarmConfig(node, dir, scanInterval, chunkBytes, max, requestTimeout, deployTimeout);
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": must be a positive duration (got " + d + ")");
    }
  }
}
