package dev.cohort.tomcat;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.OwnershipLostException;
import dev.cohort.core.engine.Placement;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * A stand-in for the replication engine: one shared, always-consistent map of records and an owner
 * per session, so adapter tests exercise exactly the adapter (capture, materialize, route,
 * listeners) and nothing of the network. Every commit is recorded for assertions.
 */
final class FakeCluster {
  final Map<String, SessionRecord> records = new ConcurrentHashMap<>();
  final Map<String, String> owners = new ConcurrentHashMap<>();
  final Map<String, Node> nodes = new ConcurrentHashMap<>();
  final List<SessionUpdate> commits = new CopyOnWriteArrayList<>();
  volatile LongSupplier clock = System::currentTimeMillis;

  EngineFactory factory() {
    return (cfg, events) -> new Node(cfg.nodeName(), events);
  }

  final class Node implements SessionEngine {
    final Member member;
    final SessionEvents events;

    /** What {@link #isClosing()} answers: a test sets it to act out a drain in progress. */
    volatile boolean closing;

    @Override
    public boolean isClosing() {
      return closing;
    }

    Node(String name, SessionEvents events) {
      this.member = new Member(name + "-" + System.nanoTime(), name);
      this.events = events;
    }

    @Override
    public void start() {
      nodes.put(member.name(), this);
    }

    @Override
    public boolean isReady() {
      return nodes.get(member.name()) == this;
    }

    @Override
    public Member localMember() {
      return member;
    }

    @Override
    public View view() {
      return new View(1, nodes.values().stream().map(n -> n.member).sorted().toList());
    }

    @Override
    public boolean owns(String id) {
      return member.name().equals(owners.get(id));
    }

    @Override
    public synchronized Optional<SessionRecord> acquire(String id) {
      SessionRecord r = records.get(id);
      if (r == null) {
        return Optional.empty();
      }
      String previous = owners.put(id, member.name());
      if (previous != null && !previous.equals(member.name())) {
        Node old = nodes.get(previous);
        if (old != null) {
          old.events.ownershipLost(id);
        }
      }
      return Optional.of(r);
    }

    @Override
    public CompletableFuture<Void> commit(SessionUpdate u) {
      String owner = owners.get(u.id());
      if (owner != null && !owner.equals(member.name())) {
        // the engine's contract: a member that lost the session applies nothing
        return CompletableFuture.failedFuture(
            new OwnershipLostException("commit failed: this member does not own the session"));
      }
      commits.add(u);
      SessionRecord old = records.get(u.id());
      Map<String, byte[]> attrs = new HashMap<>(old == null ? Map.of() : old.attributes());
      attrs.putAll(u.touched());
      u.removed().forEach(attrs::remove);
      records.put(
          u.id(),
          new SessionRecord(
              u.id(),
              old == null ? 1 : old.version() + 1,
              u.creationTime(),
              u.lastAccessedTime(),
              u.maxInactiveSeconds(),
              u.isNew(),
              u.authType(),
              u.principal(),
              u.notes(),
              attrs));
      owners.put(u.id(), member.name());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> invalidate(String id) {
      records.remove(id);
      owners.remove(id);
      for (Node n : nodes.values()) {
        if (n != this) {
          n.events.removedRemotely(id);
        }
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> changeId(String oldId, String newId) {
      SessionRecord r = records.remove(oldId);
      String owner = owners.remove(oldId);
      if (r != null) {
        records.put(
            newId,
            new SessionRecord(
                newId,
                r.version() + 1,
                r.creationTime(),
                r.lastAccessedTime(),
                r.maxInactiveSeconds(),
                r.isNew(),
                r.authType(),
                r.principal(),
                r.notes(),
                r.attributes()));
        owners.put(newId, owner);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Placement placement(String id) {
      List<String> others = new ArrayList<>(nodes.keySet());
      String owner = owners.getOrDefault(id, member.name());
      others.remove(owner);
      return new Placement(owner, others);
    }

    @Override
    public void expireIdle() {
      long now = clock.getAsLong();
      for (SessionRecord r : List.copyOf(records.values())) {
        if (owns(r.id()) && r.isExpired(now)) {
          events.expired(r);
          records.remove(r.id());
          owners.remove(r.id());
        }
      }
    }

    @Override
    public EngineStats stats() {
      return (EngineStats)
          java.lang.reflect.Proxy.newProxyInstance(
              EngineStats.class.getClassLoader(),
              new Class<?>[] {EngineStats.class},
              (proxy, method, args) -> method.getReturnType() == int.class ? (Object) 0 : 0L);
    }

    @Override
    public void close() {
      nodes.remove(member.name(), this);
    }

    /** Simulates a crash: the node disappears and its sessions get a new owner on next use. */
    void crash() {
      nodes.remove(member.name(), this);
      owners.values().removeIf(o -> o.equals(member.name()));
    }
  }
}
