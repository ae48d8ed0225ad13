package dev.cohort.tomcat.farm;

import dev.cohort.tomcat.farm.FarmMessage.Report;
import dev.cohort.tomcat.farm.FarmMessage.Result;
import java.util.List;
import java.util.Map;

/**
 * The farm as one node sees it: the catalogue and each reachable member's report. Renders as the
 * JSON of {@code GET /cohort/farm}.
 */
public record FarmStatus(
    String node,
    boolean ready,
    List<FarmApp> apps,
    Map<String, Report> reports,
    List<String> unreachable) {

  /**
   * {@code
   * {"node":..,"ready":..,"apps":[{"name","version","sha256","size","removed","nodes":{..}}],"unreachable":[..]}}
   */
  public String toJson() {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"node\":").append(str(node)).append(",\"ready\":").append(ready);
    b.append(",\"members\":[");
    boolean firstMember = true;
    for (String m : reports.keySet()) {
      b.append(firstMember ? "" : ",").append(str(m));
      firstMember = false;
    }
    for (String m : unreachable) {
      b.append(firstMember ? "" : ",").append(str(m));
      firstMember = false;
    }
    b.append(']');
    b.append(",\"apps\":[");
    boolean first = true;
    for (FarmApp a : apps) {
      b.append(first ? "" : ",");
      first = false;
      b.append("{\"name\":").append(str(a.name()));
      b.append(",\"version\":").append(str(a.version().toString()));
      b.append(",\"sha256\":").append(a.removed() ? "null" : str(a.sha256()));
      b.append(",\"size\":").append(a.size());
      b.append(",\"removed\":").append(a.removed());
      b.append(",\"nodes\":{");
      boolean firstNode = true;
      for (Map.Entry<String, Report> r : reports.entrySet()) {
        NodeApp n = find(r.getValue(), a.name());
        b.append(firstNode ? "" : ",");
        firstNode = false;
        b.append(str(r.getKey())).append(":");
        nodeApp(b, n);
      }
      b.append("}}");
    }
    b.append("],\"unreachable\":[");
    for (int i = 0; i < unreachable.size(); i++) {
      b.append(i == 0 ? "" : ",").append(str(unreachable.get(i)));
    }
    b.append("]}");
    return b.toString();
  }

  private static void nodeApp(StringBuilder b, NodeApp n) {
    if (n == null) {
      b.append("{\"state\":\"ABSENT\",\"running\":null,\"wanted\":null,\"error\":null}");
      return;
    }
    b.append("{\"state\":").append(str(n.state().name()));
    b.append(",\"running\":").append(n.running() == null ? "null" : str(n.running().toString()));
    b.append(",\"wanted\":").append(n.wanted() == null ? "null" : str(n.wanted().toString()));
    b.append(",\"error\":").append(n.error() == null ? "null" : str(n.error()));
    b.append('}');
  }

  private static NodeApp find(Report r, String name) {
    for (NodeApp n : r.apps()) {
      if (n.name().equals(name)) {
        return n;
      }
    }
    return null;
  }

  /** A rollout's outcome as JSON: the entry and each member's answer. */
  static String rolloutJson(FarmDeployer.Rollout r) {
    StringBuilder b = new StringBuilder(128);
    b.append("{\"name\":").append(str(r.app().name()));
    b.append(",\"version\":").append(str(r.app().version().toString()));
    b.append(",\"sha256\":").append(r.app().removed() ? "null" : str(r.app().sha256()));
    b.append(",\"ok\":").append(r.ok());
    b.append(",\"nodes\":{");
    boolean first = true;
    for (Map.Entry<String, Result> e : r.results().entrySet()) {
      b.append(first ? "" : ",");
      first = false;
      b.append(str(e.getKey()))
          .append(":{\"ok\":")
          .append(e.getValue().ok())
          .append(",\"detail\":")
          .append(str(e.getValue().detail()))
          .append('}');
    }
    b.append("}}");
    return b.toString();
  }

  static String str(String s) {
    return dev.cohort.tomcat.admin.Text.json(s);
  }
}
