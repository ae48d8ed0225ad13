package dev.cohort.cli.node;

import dev.cohort.store.Redaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@code cohort node} was told, validated. The cluster settings are passed to {@code
 * CohortCluster} under the names its {@code server.xml} attributes have.
 *
 * @param name the node name (Tomcat's jvmRoute, the session id's route suffix)
 * @param bind address the HTTP port binds to (the cluster's is {@code cluster.bindAddress})
 * @param httpPort HTTP port
 * @param adminBind address the admin connector binds to
 * @param adminPort the admin connector's port, where {@code /cohort/*} pages answer without a
 *     signature (0: none; they then answer only signed requests)
 * @param adminEnabled whether {@code /cohort/*} is served at all
 * @param webapp a directory or WAR to serve instead of the demo webapp, or null
 * @param demo whether the demo's kill button exists (only under {@code cohort demo})
 * @param cluster CohortCluster attribute name to value, in a stable order
 */
public record NodeSettings(
    String name,
    String bind,
    int httpPort,
    String adminBind,
    int adminPort,
    boolean adminEnabled,
    String webapp,
    boolean demo,
    Map<String, String> cluster) {

  public NodeSettings {
    Objects.requireNonNull(name, "name");
    cluster = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cluster));
  }

  /**
   * One line for the start-up log: the secret shows only its length, credentials in a store URL are
   * masked ({@link Redaction}).
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append("node ").append(name);
    b.append(", http ").append(bind).append(':').append(httpPort);
    b.append(", admin ")
        .append(
            !adminEnabled
                ? "disabled"
                : adminPort == 0 ? "signed requests only" : adminBind + ":" + adminPort);
    b.append(", webapp ").append(webapp == null ? "demo" : webapp);
    if (demo) {
      b.append(" (demo mode: kill button on)");
    }
    for (Map.Entry<String, String> e : cluster.entrySet()) {
      b.append(", ").append(e.getKey()).append('=');
      if (e.getKey().equals("secret")) {
        b.append("(set, ")
            .append(e.getValue().getBytes(StandardCharsets.UTF_8).length)
            .append(" bytes)");
      } else {
        b.append(Redaction.of(e.getValue()));
      }
    }
    return b.toString();
  }

  static long millis(Duration d) {
    return d.toMillis();
  }
}
