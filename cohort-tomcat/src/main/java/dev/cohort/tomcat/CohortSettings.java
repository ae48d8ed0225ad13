package dev.cohort.tomcat;

import dev.cohort.core.engine.EngineConfig;
import dev.cohort.core.engine.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The bean attributes shared by {@link CohortCluster} and {@link ReplicatedManager}, as the
 * server.xml digester sets them (strings and numbers, unchecked). {@link #build} validates them
 * once into a {@link NodeConfig}; nothing else reads these fields.
 */
final class CohortSettings {

  /** Like Tomcat's ReplicationValve filter: static resources never touch a session. */
  static final String DEFAULT_FILTER =
      ".*\\.(gif|js|mjs|jpeg|jpg|png|webp|ico|svg|htm|html|css|txt|map|woff|woff2|ttf)";

  String mode = "backup";
  int backups = 1;
  boolean sync = true;
  long syncTimeout = 5_000;
  String discovery = "multicast";
  String bindAddress = "127.0.0.1";
  int port = 4000;
  int portRange = 100;
  String clusterName = "cohort";
  String secret;
  String secretFile;
  long stateTransferTimeout = 60_000;
  long drainTimeout = 30_000;
  long heartbeat = 500;
  long dropTime = 3_000;
  String replicationFilter = DEFAULT_FILTER;
  String allowedClasses = "";
  String store;
  boolean storeSync;
  boolean adminEnabled = true;
  boolean insecure;
  int maxLookups = EngineConfig.DEFAULT_MAX_LOOKUPS;

  /**
   * Tomcat's attribute filters, for the managers a {@link CohortCluster} creates (a manager of its
   * own takes them as {@code ManagerBase} attributes instead).
   */
  String sessionAttributeNameFilter;

  String sessionAttributeValueClassNameFilter;
  boolean warnOnSessionAttributeFilterFailure;

  CohortSettings copy() {
    CohortSettings c = new CohortSettings();
    c.mode = mode;
    c.backups = backups;
    c.sync = sync;
    c.syncTimeout = syncTimeout;
    c.discovery = discovery;
    c.bindAddress = bindAddress;
    c.port = port;
    c.portRange = portRange;
    c.clusterName = clusterName;
    c.secret = secret;
    c.secretFile = secretFile;
    c.stateTransferTimeout = stateTransferTimeout;
    c.drainTimeout = drainTimeout;
    c.heartbeat = heartbeat;
    c.dropTime = dropTime;
    c.replicationFilter = replicationFilter;
    c.allowedClasses = allowedClasses;
    c.store = store;
    c.storeSync = storeSync;
    c.adminEnabled = adminEnabled;
    c.insecure = insecure;
    c.maxLookups = maxLookups;
    c.sessionAttributeNameFilter = sessionAttributeNameFilter;
    c.sessionAttributeValueClassNameFilter = sessionAttributeValueClassNameFilter;
    c.warnOnSessionAttributeFilterFailure = warnOnSessionAttributeFilterFailure;
    return c;
  }

  /**
   * Validates the attributes.
   *
   * @param nodeName the Engine's jvmRoute
   * @param contextName the context's name ("" for ROOT), appended to the cluster name
   * @throws IllegalArgumentException naming the attribute that is wrong
   */
  NodeConfig build(String nodeName, String contextName) {
    EngineConfig engine =
        EngineConfig.defaults()
            .withMode(Mode.parse(mode == null ? "" : mode))
            .withBackups(backups)
            .withSync(sync)
            .withSyncTimeout(millis("syncTimeout", syncTimeout))
            .withStateTransferTimeout(millis("stateTransferTimeout", stateTransferTimeout))
            .withDrainTimeout(millis("drainTimeout", drainTimeout))
            .withAllowedClasses(splitClasses(allowedClasses))
            .withMaxLookups(maxLookups);
    Pattern filter =
        regex(
            "replicationFilter",
            replicationFilter == null ? "" : replicationFilter,
            Pattern.CASE_INSENSITIVE);
    regex("sessionAttributeNameFilter", sessionAttributeNameFilter, 0);
    regex("sessionAttributeValueClassNameFilter", sessionAttributeValueClassNameFilter, 0);
    String ctx = contextName == null || contextName.isEmpty() ? "/ROOT" : contextName;
    if (!ctx.startsWith("/")) {
      ctx = "/" + ctx;
    }
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("clusterName: must not be empty");
    }
    return new NodeConfig(
        nodeName,
        clusterName + ctx,
        engine,
        bindAddress,
        port,
        portRange,
        discovery,
        millis("heartbeat", heartbeat),
        millis("dropTime", dropTime),
        secret(),
        store,
        filter,
        insecure);
  }

  /** {@code secret}, or the first line of {@code secretFile}; null when neither is set. */
  String secret() {
    if (secretFile == null || secretFile.isBlank()) {
      return secret;
    }
    if (secret != null && !secret.isEmpty()) {
      throw new IllegalArgumentException("secretFile: give either secret or secretFile, not both");
    }
    return Secrets.readFile("secretFile", Path.of(secretFile));
  }

  private static Pattern regex(String name, String regex, int flags) {
    if (regex == null) {
      return null;
    }
    try {
      return Pattern.compile(regex, flags);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          name + ": not a valid regular expression: " + e.getDescription(), e);
    }
  }

  private static Duration millis(String name, long ms) {
    if (ms <= 0) {
      throw new IllegalArgumentException(name + ": " + ms + " ms must be positive");
    }
    return Duration.ofMillis(ms);
  }

  static List<String> splitClasses(String s) {
    List<String> out = new ArrayList<>();
    if (s == null) {
      return out;
    }
    for (String p : s.split(",")) {
      String t = p.trim();
      if (!t.isEmpty()) {
        if (t.contains(";") || t.contains("!") || t.contains("=") || t.contains(" ")) {
          throw new IllegalArgumentException(
              "allowedClasses: '" + t + "' is not a class name or package pattern (a.b.C, a.b.*)");
        }
        out.add(t);
      }
    }
    return out;
  }
}
