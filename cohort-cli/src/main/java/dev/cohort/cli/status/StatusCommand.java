package dev.cohort.cli.status;

import dev.cohort.cli.admin.AdminClient;
import dev.cohort.cli.admin.SecretOption;
import dev.cohort.cli.json.Json;
import dev.cohort.tomcat.admin.AdminAuth;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cohort status}: the cluster view and per-node figures from {@code /cohort/status}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Prints the view and figures of one or more nodes (their /cohort/status).")
public final class StatusCommand implements Callable<Integer> {
  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8081",
      split = ",",
      description = "node base URL(s), repeatable (default http://127.0.0.1:8081)")
  List<String> urls;

  @Mixin SecretOption secret = new SecretOption();

  @Override
  public Integer call() throws InterruptedException {
    AdminAuth signer = AdminClient.signer(secret.secret());
    int failures = 0;
    for (String url : urls) {
      String base = url.replaceAll("/+$", "");
      try {
        AdminClient client = new AdminClient(base, "--url", signer);
        HttpResponse<String> r = client.get("/cohort/status", Duration.ofSeconds(5));
        if (r.statusCode() == 401) {
          System.err.println(
              "status of " + base + " refused: HTTP 401 — " + client.unauthorizedHint());
          failures++;
          continue;
        }
        if (r.statusCode() != 200) {
          System.err.println(
              "status of " + base + " failed: HTTP " + r.statusCode() + " — is /cohort/ enabled?");
          failures++;
          continue;
        }
        print(System.out, base, Json.object(r.body()));
      } catch (IOException | IllegalArgumentException e) {
        System.err.println(
            "status of " + base + " failed: " + e + " — is the node running at that URL?");
        failures++;
      }
    }
    return failures == 0 ? 0 : 1;
  }

  @SuppressWarnings("unchecked")
  static void print(PrintStream out, String url, Map<String, Object> s) {
    List<Object> members = s.get("members") instanceof List<?> l ? (List<Object>) l : List.of();
    out.printf(
        Locale.ROOT,
        "node %s (%s) at %s%n  view %d: %d members [%s]%n",
        s.get("node"),
        Boolean.TRUE.equals(s.get("ready")) ? "ready" : "NOT READY",
        url,
        Json.num(s, "viewId", -1),
        members.size(),
        String.join(", ", members.stream().map(String::valueOf).toList()));
    Map<String, Object> t =
        s.get("totals") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    out.printf(
        Locale.ROOT,
        "  sessions: %d owned, %d replicated, %d unprotected; %s held%n",
        Json.num(t, "sessionsOwned", 0),
        Json.num(t, "sessionsReplicated", 0),
        Json.num(t, "sessionsUnprotected", 0),
        bytes(Json.num(t, "heldBytes", 0)));
    out.printf(
        Locale.ROOT,
        "  replication: %d deltas sent, %d applied, %d take-overs, %d sync timeouts;"
            + " ack avg %.2f ms, max %.2f ms%n",
        Json.num(t, "deltasSent", 0),
        Json.num(t, "deltasApplied", 0),
        Json.num(t, "takeovers", 0),
        Json.num(t, "syncTimeouts", 0),
        Json.dbl(t, "ackLatencyAvgMicros") / 1000,
        Json.dbl(t, "ackLatencyMaxMicros") / 1000);
    if (s.get("engines") instanceof List<?> engines) {
      for (Object o : engines) {
        Map<String, Object> e = (Map<String, Object>) o;
        Map<String, Object> tr =
            e.get("transfer") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        long expected = Json.num(tr, "expected", 0);
        out.printf(
            Locale.ROOT,
            "  engine %d: %s, %d owned, %d replicated, %d unprotected, transfer %d%s%n",
            Json.num(e, "engine", 0),
            Boolean.TRUE.equals(e.get("ready")) ? "ready" : "not ready",
            Json.num(e, "sessionsOwned", 0),
            Json.num(e, "sessionsReplicated", 0),
            Json.num(e, "sessionsUnprotected", 0),
            Json.num(tr, "received", 0),
            expected > 0 ? "/" + expected : "");
      }
    }
    if (s.get("events") instanceof List<?> events && !events.isEmpty()) {
      out.println("  recent membership changes:");
      for (Object o : events.subList(0, Math.min(5, events.size()))) {
        Map<String, Object> ev = (Map<String, Object>) o;
        out.printf(
            Locale.ROOT,
            "    %s view %d: %s%n",
            ev.get("at"),
            Json.num(ev, "viewId", -1),
            ev.get("text"));
      }
    }
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
  }
}
