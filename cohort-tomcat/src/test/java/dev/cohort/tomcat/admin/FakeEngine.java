package dev.cohort.tomcat.admin;

import dev.cohort.core.channel.DroppedFrames;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.Placement;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** An engine whose view and figures a test sets directly; only the read side works. */
final class FakeEngine implements SessionEngine, EngineStats {
  volatile boolean ready = true;
  volatile View view;
  volatile int owned;
  volatile int replicas;
  volatile int unprotected;
  volatile long heldBytes;
  volatile long deltasSent;
  volatile long ackCount;
  volatile long ackNanosTotal;
  volatile long ackNanosMax;
  volatile long transferReceived;
  volatile long transferExpected;
  volatile long deserializationRefusals;

  FakeEngine(long viewId, String... members) {
    view(viewId, members);
  }

  void view(long id, String... members) {
    List<Member> list = Arrays.stream(members).map(n -> new Member(n + "-id", n)).toList();
    view = new View(id, list);
  }

  @Override
  public void start() {}

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public Member localMember() {
    return view.coordinator();
  }

  @Override
  public View view() {
    return view;
  }

  @Override
  public boolean owns(String id) {
    return false;
  }

  @Override
  public Optional<SessionRecord> acquire(String id) {
    return Optional.empty();
  }

  @Override
  public CompletableFuture<Void> commit(SessionUpdate update) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> invalidate(String id) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> changeId(String oldId, String newId) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public Placement placement(String id) {
    return new Placement(view.coordinator().name(), List.of());
  }

  @Override
  public void expireIdle() {}

  @Override
  public EngineStats stats() {
    return this;
  }

  @Override
  public void close() {}

  @Override
  public int ownedSessions() {
    return owned;
  }

  @Override
  public int replicaSessions() {
    return replicas;
  }

  @Override
  public int unprotectedSessions() {
    return unprotected;
  }

  @Override
  public long heldBytes() {
    return heldBytes;
  }

  @Override
  public long deltasSent() {
    return deltasSent;
  }

  @Override
  public long deltasApplied() {
    return 0;
  }

  @Override
  public long bytesSent() {
    return 0;
  }

  @Override
  public long bytesReceived() {
    return 0;
  }

  @Override
  public long gaps() {
    return 0;
  }

  @Override
  public long conflicts() {
    return 0;
  }

  @Override
  public long takeovers() {
    return 0;
  }

  @Override
  public long expired() {
    return 0;
  }

  @Override
  public long syncTimeouts() {
    return 0;
  }

  @Override
  public long malformedFrames() {
    return 0;
  }

  @Override
  public long deserializationRefusals() {
    return deserializationRefusals;
  }

  volatile DroppedFrames channelDrops = DroppedFrames.NONE;
  volatile long lookupsRefused;

  @Override
  public DroppedFrames channelDrops() {
    return channelDrops;
  }

  @Override
  public long lookupsRefused() {
    return lookupsRefused;
  }

  @Override
  public long ackCount() {
    return ackCount;
  }

  @Override
  public long ackNanosTotal() {
    return ackNanosTotal;
  }

  @Override
  public long ackNanosMax() {
    return ackNanosMax;
  }

  @Override
  public long transferReceived() {
    return transferReceived;
  }

  @Override
  public long transferExpected() {
    return transferExpected;
  }
}
