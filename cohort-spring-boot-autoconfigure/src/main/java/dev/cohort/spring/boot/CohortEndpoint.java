package dev.cohort.spring.boot;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.CohortCluster;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * Actuator's {@code cohort} endpoint ({@code /actuator/cohort} once exposed with {@code
 * management.endpoints.web.exposure.include}): the node, its view and, per replicated context, the
 * engine's figures — what {@code /cohort/status} shows, under Actuator's own access rules (Spring
 * Security, a management port). Counts and sizes only: never a session id, attribute value or
 * principal.
 */
@Endpoint(id = "cohort")
public final class CohortEndpoint {
  private static final List<Method> FIGURES = figures();
  private final CohortCluster cluster;

  public CohortEndpoint(CohortCluster cluster) {
    this.cluster = cluster;
  }

  @ReadOperation
  public Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("node", String.valueOf(cluster.nodeName()));
    boolean ready = !cluster.engines().isEmpty();
    long viewId = -1;
    TreeSet<String> members = new TreeSet<>();
    List<Map<String, Object>> engines = new ArrayList<>();
    for (SessionEngine e : cluster.engines()) {
      ready &= e.isReady();
      View view = e.view();
      if (view != null) {
        viewId = Math.max(viewId, view.id());
        view.members().stream().map(Member::name).forEach(members::add);
      }
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("ready", e.isReady());
      EngineStats s = e.stats();
      for (Method m : FIGURES) {
        figures.put(m.getName(), read(m, s));
      }
      engines.add(figures);
    }
    out.put("ready", ready);
    out.put("viewId", viewId);
    out.put("members", members);
    out.put("engines", engines);
    return out;
  }

  /** Every figure of {@link EngineStats}: its no-argument methods returning a number. */
  private static List<Method> figures() {
    List<Method> out = new ArrayList<>();
    for (Method m : EngineStats.class.getMethods()) {
      Class<?> t = m.getReturnType();
      if (m.getParameterCount() == 0 && (t == int.class || t == long.class || t == double.class)) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(Method::getName));
    return List.copyOf(out);
  }

  private static Object read(Method m, EngineStats s) {
    try {
      return m.invoke(s);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null;
    }
  }
}
