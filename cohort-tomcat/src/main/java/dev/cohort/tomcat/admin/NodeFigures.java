package dev.cohort.tomcat.admin;

import dev.cohort.core.channel.DroppedFrames;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.StoreStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * One consistent read of every figure the admin endpoints publish, taken from the engines of one
 * node. Counts and sizes only: nothing here identifies a session or a user.
 */
record NodeFigures(String node, boolean ready, List<EngineFigures> engines) {

  NodeFigures {
    engines = List.copyOf(engines);
  }

  /** Figures of one engine (one distributable context). */
  record EngineFigures(
      int index,
      boolean ready,
      long viewId,
      List<String> members,
      int owned,
      int replicated,
      int unprotected,
      long heldBytes,
      long deltasSent,
      long deltasApplied,
      long bytesSent,
      long bytesReceived,
      long gaps,
      long conflicts,
      long takeovers,
      long expired,
      long syncTimeouts,
      long malformedFrames,
      long deserializationRefusals,
      long claimsSent,
      long lookupsRefused,
      long storeLookups,
      DroppedFrames channelDrops,
      long ackCount,
      long ackNanosTotal,
      long ackNanosMax,
      long transferReceived,
      long transferExpected,
      StoreFigures store) {

    EngineFigures {
      members = List.copyOf(members);
    }

    static EngineFigures of(int index, SessionEngine engine) {
      View view = engine.view();
      EngineStats s = engine.stats();
      List<String> names = new ArrayList<>();
      long viewId = -1;
      if (view != null) {
        viewId = view.id();
        for (Member m : view.members()) {
          names.add(m.name());
        }
      }
      return new EngineFigures(
          index,
          engine.isReady(),
          viewId,
          names,
          s.ownedSessions(),
          s.replicaSessions(),
          s.unprotectedSessions(),
          s.heldBytes(),
          s.deltasSent(),
          s.deltasApplied(),
          s.bytesSent(),
          s.bytesReceived(),
          s.gaps(),
          s.conflicts(),
          s.takeovers(),
          s.expired(),
          s.syncTimeouts(),
          s.malformedFrames(),
          s.deserializationRefusals(),
          s.claimsSent(),
          s.lookupsRefused(),
          s.storeLookups(),
          s.channelDrops(),
          s.ackCount(),
          s.ackNanosTotal(),
          s.ackNanosMax(),
          s.transferReceived(),
          s.transferExpected(),
          StoreStatus.of(engine).map(StoreFigures::of).orElse(null));
    }

    /** 1 when the store is up or there is none, 0 during a store outage. */
    long storeUp() {
      return store == null || store.up() ? 1 : 0;
    }

    long storeQueued() {
      return store == null ? 0 : store.queued();
    }

    long storeDropped() {
      return store == null ? 0 : store.dropped();
    }

    long storeFailures() {
      return store == null ? 0 : store.failures();
    }

    long storeWritten() {
      return store == null ? 0 : store.written();
    }

    /** Mean acknowledged-replication round trip in microseconds, 0 before the first one. */
    double ackAvgMicros() {
      return ackCount == 0 ? 0 : ackNanosTotal / 1000.0 / ackCount;
    }

    double ackMaxMicros() {
      return ackNanosMax / 1000.0;
    }
  }

  /** The session store of one engine (durable tier or persistent mode); null when none. */
  record StoreFigures(boolean up, long queued, long dropped, long failures, long written) {
    static StoreFigures of(StoreStatus s) {
      return new StoreFigures(s.up(), s.queued(), s.dropped(), s.failures(), s.written());
    }
  }

  /** True when some engine of the node has a store. */
  boolean hasStore() {
    for (EngineFigures f : engines) {
      if (f.store() != null) {
        return true;
      }
    }
    return false;
  }

  /** False while any engine's store is in an outage. */
  boolean storeUp() {
    for (EngineFigures f : engines) {
      if (f.storeUp() == 0) {
        return false;
      }
    }
    return true;
  }

  static NodeFigures read(String node, Collection<SessionEngine> engines) {
    List<EngineFigures> figures = new ArrayList<>();
    boolean ready = true;
    int i = 0;
    for (SessionEngine e : engines) {
      EngineFigures f = EngineFigures.of(i++, e);
      ready &= f.ready();
      figures.add(f);
    }
    return new NodeFigures(node, ready, figures);
  }

  /** Every member name seen in any engine's view, sorted. */
  List<String> members() {
    TreeSet<String> all = new TreeSet<>();
    for (EngineFigures f : engines) {
      all.addAll(f.members());
    }
    return List.copyOf(all);
  }

  /** The highest view id among the engines, -1 when there is none. */
  long viewId() {
    long max = -1;
    for (EngineFigures f : engines) {
      max = Math.max(max, f.viewId());
    }
    return max;
  }

  long sum(java.util.function.ToLongFunction<EngineFigures> figure) {
    long total = 0;
    for (EngineFigures f : engines) {
      total += figure.applyAsLong(f);
    }
    return total;
  }

  long max(java.util.function.ToLongFunction<EngineFigures> figure) {
    long m = 0;
    for (EngineFigures f : engines) {
      m = Math.max(m, figure.applyAsLong(f));
    }
    return m;
  }

  double ackAvgMicros() {
    long count = sum(EngineFigures::ackCount);
    return count == 0 ? 0 : sum(EngineFigures::ackNanosTotal) / 1000.0 / count;
  }
}
