package dev.cohort.tomcat;

import dev.cohort.core.engine.EngineConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything one replicated context needs to build its engine, validated once at start from the
 * bean attributes of {@link CohortCluster} or {@link ReplicatedManager}.
 *
 * @param nodeName the Engine's {@code jvmRoute}; the route suffix of session ids
 * @param clusterName the JGroups cluster name of this context (cluster name + context name)
 * @param engine the engine settings
 * @param bindAddress address the cluster transport binds to
 * @param port first cluster port tried
 * @param portRange how many further ports are tried when {@code port} is taken
 * @param discovery {@code multicast[:addr:port]}, {@code static:host:port,...} or {@code dns:name}
 * @param heartbeat failure-detection heartbeat interval
 * @param dropTime a member silent for this long is suspected
 * @param secret shared cluster secret (authentication and encryption), or null
 * @param storeSpec {@code jdbc:...} / {@code file:...} session store, or null for none
 * @param replicationFilter request URIs matching it are never replicated (static resources)
 * @param insecure the explicit opt-out that lets the cluster and farm ports bind a non-loopback
 *     address without a secret
 */
public record NodeConfig(
    String nodeName,
    String clusterName,
    EngineConfig engine,
    String bindAddress,
    int port,
    int portRange,
    String discovery,
    Duration heartbeat,
    Duration dropTime,
    String secret,
    String storeSpec,
    Pattern replicationFilter,
    boolean insecure) {

  public NodeConfig {
    if (nodeName == null || nodeName.isBlank()) {
      throw new IllegalArgumentException(
          "jvmRoute: the Engine has no jvmRoute — set <Engine jvmRoute=\"n1\" ...> (unique per"
              + " node); Cohort uses it as the node name and the session id's route");
    }
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("clusterName: must not be empty");
    }
    Objects.requireNonNull(engine, "engine");
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress: must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is not between 0 and 65535");
    }
    if (portRange < 0 || portRange > 1000) {
      throw new IllegalArgumentException("portRange: " + portRange + " is not between 0 and 1000");
    }
    if (discovery == null || discovery.isBlank()) {
      throw new IllegalArgumentException("discovery: must not be empty");
    }
    if (!(discovery.equals("multicast")
        || discovery.startsWith("multicast:")
        || discovery.startsWith("static:")
        || discovery.startsWith("dns:"))) {
      throw new IllegalArgumentException(
          "discovery: '"
              + discovery
              + "' is not one of multicast[:addr:port], static:host:port,..., dns:name");
    }
    requirePositive("heartbeat", heartbeat);
    requirePositive("dropTime", dropTime);
    if (dropTime.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "dropTime: "
              + dropTime.toMillis()
              + " ms must be at least twice the heartbeat ("
              + heartbeat.toMillis()
              + " ms)");
    }
    if (secret != null && !secret.isEmpty() && secret.length() < 16) {
      throw new IllegalArgumentException("secret: shorter than 16 characters — use a longer one");
    }
    if (secret != null && secret.isEmpty()) {
      secret = null;
    }
    if (storeSpec != null && storeSpec.isBlank()) {
      storeSpec = null;
    }
    if (storeSpec != null && !(storeSpec.startsWith("jdbc:") || storeSpec.startsWith("file:"))) {
      throw new IllegalArgumentException(
          "store: '" + storeSpec.split(":", 2)[0] + ":...' is not a jdbc: or file: spec");
    }
    Objects.requireNonNull(replicationFilter, "replicationFilter");
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": must be a positive number of milliseconds");
    }
  }
}
