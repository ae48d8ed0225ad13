package dev.cohort.bench.e2e;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The clustering set-ups the harness compares. Every one runs the same counter webapp on the same
 * embedded Tomcat (tomcat-embed-core of the bench module), one JVM per node.
 */
public enum SystemKind {
  /** Unclustered Tomcat nodes (StandardManager): the ceiling. */
  TOMCAT_STANDALONE("tomcat-standalone", Family.STANDALONE, false, false),
  /** Tomcat's DeltaManager (all-to-all), channelSendOptions 8 (asynchronous). */
  TOMCAT_DELTA_ASYNC("tomcat-delta-async", Family.TOMCAT, true, false),
  /** Tomcat's DeltaManager, channelSendOptions 6 (synchronized acknowledgement). */
  TOMCAT_DELTA_SYNC("tomcat-delta-sync", Family.TOMCAT, true, true),
  /** Tomcat's BackupManager (one backup, its default map send options 6, acknowledged). */
  TOMCAT_BACKUP("tomcat-backup", Family.TOMCAT, false, true),
  COHORT_ALL_SYNC("cohort-all-sync", Family.COHORT, true, true),
  COHORT_ALL_ASYNC("cohort-all-async", Family.COHORT, true, false),
  COHORT_BACKUP_SYNC("cohort-backup-sync", Family.COHORT, false, true),
  COHORT_BACKUP_ASYNC("cohort-backup-async", Family.COHORT, false, false);

  /** Who implements the clustering. */
  public enum Family {
    STANDALONE,
    TOMCAT,
    COHORT
  }

  private final String label;
  private final Family family;
  private final boolean all;
  private final boolean sync;

  SystemKind(String label, Family family, boolean all, boolean sync) {
    this.label = label;
    this.family = family;
    this.all = all;
    this.sync = sync;
  }

  public String label() {
    return label;
  }

  public Family family() {
    return family;
  }

  /** True for all-to-all replication (DeltaManager, Cohort mode all). */
  public boolean all() {
    return all;
  }

  /** True when a response waits for the replicas' acknowledgements. */
  public boolean sync() {
    return sync;
  }

  public boolean replicated() {
    return family != Family.STANDALONE;
  }

  /** The system named {@code label}; IllegalArgumentException naming the valid ones otherwise. */
  public static SystemKind of(String label) {
    for (SystemKind k : values()) {
      if (k.label.equals(label)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "--system: unknown system '"
            + label
            + "' — use one of "
            + Arrays.stream(values()).map(SystemKind::label).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return label;
  }
}
