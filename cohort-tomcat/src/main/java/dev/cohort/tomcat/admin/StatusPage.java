package dev.cohort.tomcat.admin;

import dev.cohort.tomcat.admin.NodeFigures.EngineFigures;
import java.util.List;
import java.util.function.Function;

/** Renders {@code /cohort/}: the same figures as the JSON, as a page that refreshes itself. */
final class StatusPage {
  private StatusPage() {}

  static String render(NodeFigures n, List<MembershipLog.Entry> events) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"2\">")
        .append("<title>Cohort node ")
        .append(Text.html(n.node()))
        .append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
        .append("th{background:#f3f3f3;text-align:left}")
        .append(".ok{color:#117a2d;font-weight:bold}.bad{color:#b00020;font-weight:bold}")
        .append("li{margin:2px 0}</style></head><body>");
    b.append("<h1>Cohort node <span id=\"node\">")
        .append(Text.html(n.node()))
        .append("</span></h1>");
    b.append("<p>Health: ")
        .append(
            n.ready() ? "<span class=\"ok\">ready</span>" : "<span class=\"bad\">not ready</span>")
        .append(" &middot; view ")
        .append(n.viewId())
        .append(" &middot; members: <span id=\"members\">")
        .append(Text.html(String.join(", ", n.members())))
        .append("</span></p>");

    b.append("<table id=\"engines\"><tr><th>figure</th>");
    for (EngineFigures f : n.engines()) {
      b.append("<th>engine ").append(f.index()).append("</th>");
    }
    b.append("</tr>");
    row(b, n, "ready", f -> f.ready() ? "yes" : "no");
    row(b, n, "sessions owned", f -> Integer.toString(f.owned()));
    row(b, n, "sessions replicated", f -> Integer.toString(f.replicated()));
    row(b, n, "sessions unprotected", f -> Integer.toString(f.unprotected()));
    row(b, n, "held bytes", f -> Long.toString(f.heldBytes()));
    row(b, n, "deltas sent", f -> Long.toString(f.deltasSent()));
    row(b, n, "deltas applied", f -> Long.toString(f.deltasApplied()));
    row(b, n, "bytes sent", f -> Long.toString(f.bytesSent()));
    row(b, n, "bytes received", f -> Long.toString(f.bytesReceived()));
    row(b, n, "gaps / conflicts", f -> f.gaps() + " / " + f.conflicts());
    row(b, n, "take-overs", f -> Long.toString(f.takeovers()));
    row(b, n, "expired", f -> Long.toString(f.expired()));
    row(b, n, "sync timeouts", f -> Long.toString(f.syncTimeouts()));
    row(b, n, "malformed frames", f -> Long.toString(f.malformedFrames()));
    row(b, n, "ack latency avg / max", f -> ms(f.ackAvgMicros()) + " / " + ms(f.ackMaxMicros()));
    row(
        b,
        n,
        "state transfer",
        f ->
            f.transferExpected() == 0
                ? f.transferReceived() + " received"
                : f.transferReceived() + " / " + f.transferExpected());
    b.append("</table>");
    if (n.engines().isEmpty()) {
      b.append("<p>No distributable context is running on this node.</p>");
    }

    b.append("<h2>Recent membership changes</h2><ul id=\"events\">");
    if (events.isEmpty()) {
      b.append("<li>none observed yet</li>");
    }
    for (MembershipLog.Entry e : events) {
      b.append("<li>")
          .append(Text.html(e.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()))
          .append(" &mdash; view ")
          .append(e.viewId())
          .append(": ")
          .append(Text.html(e.text()))
          .append("</li>");
    }
    b.append("</ul><p><a href=\"status\">JSON</a> &middot; <a href=\"metrics\">Prometheus</a>")
        .append(" &middot; <a href=\"health\">health</a></p></body></html>");
    return b.toString();
  }

  private static String ms(double micros) {
    return String.format(java.util.Locale.ROOT, "%.2f ms", micros / 1000.0);
  }

  private static void row(
      StringBuilder b, NodeFigures n, String name, Function<EngineFigures, String> cell) {
    b.append("<tr><th>").append(Text.html(name)).append("</th>");
    for (EngineFigures f : n.engines()) {
      b.append("<td>").append(Text.html(cell.apply(f))).append("</td>");
    }
    b.append("</tr>");
  }
}
