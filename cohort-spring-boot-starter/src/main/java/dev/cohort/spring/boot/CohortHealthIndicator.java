package dev.cohort.spring.boot;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.CohortCluster;
import java.util.Collection;
import java.util.TreeSet;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Actuator's {@code cohort} health: UP when every replicated context's engine is ready (joined,
 * state transfer done — the same rule as {@code /cohort/health}), OUT_OF_SERVICE while one is not,
 * DOWN before the embedded Tomcat started the cluster. Details are counts and member names only:
 * never a session id, attribute value or principal.
 */
public final class CohortHealthIndicator extends AbstractHealthIndicator {
  private final CohortCluster cluster;

  public CohortHealthIndicator(CohortCluster cluster) {
    super("checking Cohort's health failed");
    this.cluster = cluster;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Collection<SessionEngine> engines = cluster.engines();
    if (engines.isEmpty()) {
      builder.down().withDetail("reason", "no replicated context is running");
      return;
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
    (ready ? builder.up() : builder.outOfService())
        .withDetail("node", String.valueOf(cluster.nodeName()))
        .withDetail("members", members)
        .withDetail("viewId", viewId)
        .withDetail("sessionsOwned", owned)
        .withDetail("sessionsReplicated", replicated)
        .withDetail("sessionsUnprotected", unprotected);
  }
}
