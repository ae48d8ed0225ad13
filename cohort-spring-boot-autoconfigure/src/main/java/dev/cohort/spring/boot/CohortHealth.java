package dev.cohort.spring.boot;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.CohortCluster;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.core.env.Environment;

/**
 * What Actuator's {@code cohort} health says, independent of Spring Boot's generation (each
 * generation's {@code CohortHealthIndicator} turns it into its own {@code Health}): UP when every
 * replicated context's engine is ready (joined, state transfer done — the same rule as {@code
 * /cohort/health}), OUT_OF_SERVICE while one is not, DOWN before the embedded Tomcat started the
 * cluster. Details are counts and member names only: never a session id, attribute value or
 * principal.
 *
 * @param status {@code UP}, {@code OUT_OF_SERVICE} or {@code DOWN}
 * @param details the health's details, in order
 */
public record CohortHealth(String status, Map<String, Object> details) {
  /** The indicator's name: Actuator's component {@code cohort}. */
  public static final String NAME = "cohort";

  /** The readiness group that the indicator joins (Kubernetes' readiness probe reads it). */
  public static final String READINESS_GROUP = "readiness";

  /** The cluster's health now. */
  public static CohortHealth of(CohortCluster cluster) {
    Collection<SessionEngine> engines = cluster.engines();
    if (engines.isEmpty()) {
      return new CohortHealth("DOWN", Map.of("reason", "no replicated context is running"));
    }
    boolean ready = true;
    long viewId = -1;
    int owned = 0;
    int replicated = 0;
    int unprotected = 0;
    TreeSet<String> members = new TreeSet<>();
    for (SessionEngine e : engines) {
      ready &= e.isReady();
      View view = e.view();
      if (view != null) {
        viewId = Math.max(viewId, view.id());
        for (Member m : view.members()) {
          members.add(m.name());
        }
      }
      EngineStats s = e.stats();
      owned += s.ownedSessions();
      replicated += s.replicaSessions();
      unprotected += s.unprotectedSessions();
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("node", String.valueOf(cluster.nodeName()));
    details.put("members", members);
    details.put("viewId", viewId);
    details.put("sessionsOwned", owned);
    details.put("sessionsReplicated", replicated);
    details.put("sessionsUnprotected", unprotected);
    return new CohortHealth(ready ? "UP" : "OUT_OF_SERVICE", details);
  }

  /**
   * Whether the application's own {@code management.endpoint.health.group.readiness.exclude} names
   * the indicator (then it stays out of the readiness group).
   */
  public static boolean excludedFromReadiness(Environment environment) {
    String exclude =
        environment.getProperty(
            "management.endpoint.health.group." + READINESS_GROUP + ".exclude", "");
    return Arrays.stream(exclude.split(",")).map(String::strip).anyMatch(NAME::equals);
  }
}
