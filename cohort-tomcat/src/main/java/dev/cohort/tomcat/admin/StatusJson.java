package dev.cohort.tomcat.admin;

import dev.cohort.tomcat.admin.NodeFigures.EngineFigures;
import java.util.List;
import java.util.stream.Collectors;

/** Renders {@code /cohort/status}: the node's view and figures as one JSON object. */
final class StatusJson {
  private StatusJson() {}

  static String render(NodeFigures n, List<MembershipLog.Entry> events) {
    StringBuilder b = new StringBuilder(1024);
    b.append("{\"node\":").append(Text.json(n.node()));
    b.append(",\"ready\":").append(n.ready());
    b.append(",\"viewId\":").append(n.viewId());
    b.append(",\"members\":").append(names(n.members()));
    b.append(",\"totals\":{");
    b.append("\"sessionsOwned\":").append(n.sum(EngineFigures::owned));
    b.append(",\"sessionsReplicated\":").append(n.sum(EngineFigures::replicated));
    b.append(",\"sessionsUnprotected\":").append(n.sum(EngineFigures::unprotected));
    b.append(",\"heldBytes\":").append(n.sum(EngineFigures::heldBytes));
    b.append(",\"deltasSent\":").append(n.sum(EngineFigures::deltasSent));
    b.append(",\"deltasApplied\":").append(n.sum(EngineFigures::deltasApplied));
    b.append(",\"takeovers\":").append(n.sum(EngineFigures::takeovers));
    b.append(",\"syncTimeouts\":").append(n.sum(EngineFigures::syncTimeouts));
    b.append(",\"ackLatencyAvgMicros\":").append(Text.num(n.ackAvgMicros()));
    b.append(",\"ackLatencyMaxMicros\":")
        .append(Text.num(n.max(EngineFigures::ackNanosMax) / 1000.0));
    b.append('}');
    if (n.hasStore()) {
      b.append(",\"store\":{\"up\":").append(n.storeUp());
      b.append(",\"queuedWrites\":").append(n.sum(EngineFigures::storeQueued));
      b.append(",\"droppedWrites\":").append(n.sum(EngineFigures::storeDropped));
      b.append(",\"failures\":").append(n.sum(EngineFigures::storeFailures));
      b.append(",\"written\":").append(n.sum(EngineFigures::storeWritten));
      b.append('}');
    }
    b.append(",\"engines\":[");
    for (int i = 0; i < n.engines().size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      engine(b, n.engines().get(i));
    }
    b.append("],\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      MembershipLog.Entry e = events.get(i);
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"at\":").append(Text.json(e.at().toString()));
      b.append(",\"viewId\":").append(e.viewId());
      b.append(",\"text\":").append(Text.json(e.text())).append('}');
    }
    return b.append("]}").toString();
  }

  private static void engine(StringBuilder b, EngineFigures f) {
    b.append("{\"engine\":").append(f.index());
    b.append(",\"ready\":").append(f.ready());
    b.append(",\"viewId\":").append(f.viewId());
    b.append(",\"members\":").append(names(f.members()));
    b.append(",\"sessionsOwned\":").append(f.owned());
    b.append(",\"sessionsReplicated\":").append(f.replicated());
    b.append(",\"sessionsUnprotected\":").append(f.unprotected());
    b.append(",\"heldBytes\":").append(f.heldBytes());
    b.append(",\"replication\":{");
    b.append("\"deltasSent\":").append(f.deltasSent());
    b.append(",\"deltasApplied\":").append(f.deltasApplied());
    b.append(",\"bytesSent\":").append(f.bytesSent());
    b.append(",\"bytesReceived\":").append(f.bytesReceived());
    b.append(",\"gaps\":").append(f.gaps());
    b.append(",\"conflicts\":").append(f.conflicts());
    b.append(",\"takeovers\":").append(f.takeovers());
    b.append(",\"expired\":").append(f.expired());
    b.append(",\"syncTimeouts\":").append(f.syncTimeouts());
    b.append(",\"malformedFrames\":").append(f.malformedFrames());
    b.append(",\"deserializationRefusals\":").append(f.deserializationRefusals());
    b.append(",\"claimsSent\":").append(f.claimsSent());
    b.append(",\"lookupsRefused\":").append(f.lookupsRefused());
    b.append(",\"storeLookups\":").append(f.storeLookups());
    b.append(",\"channelDrops\":{\"malformed\":").append(f.channelDrops().malformed());
    b.append(",\"unauthenticated\":").append(f.channelDrops().unauthenticated());
    b.append(",\"replayed\":").append(f.channelDrops().replayed());
    b.append(",\"stale\":").append(f.channelDrops().stale()).append('}');
    b.append(",\"acks\":").append(f.ackCount());
    b.append(",\"ackLatencyAvgMicros\":").append(Text.num(f.ackAvgMicros()));
    b.append(",\"ackLatencyMaxMicros\":").append(Text.num(f.ackMaxMicros()));
    b.append("},\"transfer\":{");
    b.append("\"received\":").append(f.transferReceived());
    b.append(",\"expected\":").append(f.transferExpected());
    b.append('}');
    if (f.store() != null) {
      b.append(",\"store\":{\"up\":").append(f.store().up());
      b.append(",\"queuedWrites\":").append(f.store().queued());
      b.append(",\"droppedWrites\":").append(f.store().dropped());
      b.append(",\"failures\":").append(f.store().failures());
      b.append(",\"written\":").append(f.store().written());
      b.append('}');
    }
    b.append('}');
  }

  private static String names(List<String> names) {
    return names.stream().map(Text::json).collect(Collectors.joining(",", "[", "]"));
  }
}
