package dev.cohort.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The engine's settings, validated once here. Every bound that applies to data from the network is
 * a setting (DESIGN §7).
 *
 * @param mode which members hold replicas
 * @param backups k, the number of replica holders in {@link Mode#BACKUP} mode (1..16)
 * @param sync whether a commit waits for the holders' acknowledgements
 * @param syncTimeout how long a sync commit or an ownership take-over waits
 * @param stateTransferTimeout how long a joining member waits for state in {@link Mode#ALL}
 * @param drainTimeout how long a graceful stop waits for holders to take over owned sessions
 * @param maxFrameBytes largest cluster message accepted
 * @param maxSessionBytes largest serialized session accepted
 * @param transferChunkBytes target size of one state-transfer chunk
 * @param allowedClasses extra classes/packages the attribute deserializer accepts
 * @param maxLookups how many look-ups of sessions unknown to this member (a take-over: claims, then
 *     the store) may run at once; one more is refused at once (1..1024)
 */
public record EngineConfig(
    Mode mode,
    int backups,
    boolean sync,
    Duration syncTimeout,
    Duration stateTransferTimeout,
    Duration drainTimeout,
    int maxFrameBytes,
    int maxSessionBytes,
    int transferChunkBytes,
    List<String> allowedClasses,
    int maxLookups) {

  /** The default of {@link #maxLookups()}. */
  public static final int DEFAULT_MAX_LOOKUPS = 16;

  public EngineConfig {
    Objects.requireNonNull(mode, "mode");
    if (backups < 1 || backups > 16) {
      throw new IllegalArgumentException("backups: " + backups + " is not between 1 and 16");
    }
    requirePositive("syncTimeout", syncTimeout);
    requirePositive("stateTransferTimeout", stateTransferTimeout);
    requirePositive("drainTimeout", drainTimeout);
    if (maxFrameBytes < 1024) {
      throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " is below 1024");
    }
    if (maxSessionBytes < 1024 || maxSessionBytes > maxFrameBytes) {
      throw new IllegalArgumentException(
          "maxSessionBytes: "
              + maxSessionBytes
              + " must be between 1024 and maxFrameBytes ("
              + maxFrameBytes
              + ")");
    }
    if (transferChunkBytes < 1024 || transferChunkBytes > maxFrameBytes) {
      throw new IllegalArgumentException(
          "transferChunkBytes: " + transferChunkBytes + " must be between 1024 and maxFrameBytes");
    }
    allowedClasses = List.copyOf(allowedClasses);
    if (maxLookups < 1 || maxLookups > 1024) {
      throw new IllegalArgumentException(
          "maxLookups: " + maxLookups + " is not between 1 and 1024");
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " must be a positive duration");
    }
  }

  /**
   * backup mode, k=1, sync, 5 s sync timeout, 60 s state transfer, 30 s drain, 16 MiB frames, 16
   * concurrent look-ups of unknown sessions.
   */
  public static EngineConfig defaults() {
    return new EngineConfig(
        Mode.BACKUP,
        1,
        true,
        Duration.ofSeconds(5),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        16 << 20,
        8 << 20,
        256 << 10,
        List.of(),
        DEFAULT_MAX_LOOKUPS);
  }

  public EngineConfig withMode(Mode m) {
    return new EngineConfig(
        m,
        backups,
        sync,
        syncTimeout,
        stateTransferTimeout,
        drainTimeout,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        allowedClasses,
        maxLookups);
  }

  public EngineConfig withBackups(int k) {
    return new EngineConfig(
        mode,
        k,
        sync,
        syncTimeout,
        stateTransferTimeout,
        drainTimeout,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        allowedClasses,
        maxLookups);
  }

  public EngineConfig withSync(boolean s) {
    return new EngineConfig(
        mode,
        backups,
        s,
        syncTimeout,
        stateTransferTimeout,
        drainTimeout,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        allowedClasses,
        maxLookups);
  }

  public EngineConfig withSyncTimeout(Duration d) {
    return new EngineConfig(
        mode,
        backups,
        sync,
        d,
        stateTransferTimeout,
        drainTimeout,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        allowedClasses,
        maxLookups);
  }

  public EngineConfig withStateTransferTimeout(Duration d) {
    return new EngineConfig(
        mode,
        backups,
        sync,
        syncTimeout,
        d,
        drainTimeout,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        allowedClasses,
        maxLookups);
  }

  public EngineConfig withDrainTimeout(Duration d) {
    return new EngineConfig(
        mode,
        backups,
        sync,
        syncTimeout,
        stateTransferTimeout,
        d,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        allowedClasses,
        maxLookups);
  }

  public EngineConfig withAllowedClasses(List<String> classes) {
    return new EngineConfig(
        mode,
        backups,
        sync,
        syncTimeout,
        stateTransferTimeout,
        drainTimeout,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        classes,
        maxLookups);
  }

  public EngineConfig withMaxLookups(int n) {
    return new EngineConfig(
        mode,
        backups,
        sync,
        syncTimeout,
        stateTransferTimeout,
        drainTimeout,
        maxFrameBytes,
        maxSessionBytes,
        transferChunkBytes,
        allowedClasses,
        n);
  }
}
