package dev.cohort.testkit.engine;

import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.MembershipListener;
import dev.cohort.core.engine.EngineConfig;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.store.SessionStore;
import dev.cohort.testkit.ForwardingChannel;
import dev.cohort.testkit.InMemoryNetwork;
import dev.cohort.testkit.ManualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionFactory;

/** Engines on one in-memory network with one manual clock: the stage for engine stories. */
final class EngineCluster implements AutoCloseable {
  final InMemoryNetwork net;
  final ManualClock clock = new ManualClock();
  final EngineConfig config;
  final SessionStore store;
  final Map<String, SessionEngine> engines = new LinkedHashMap<>();
  final Map<String, Recorder> events = new ConcurrentHashMap<>();

  /** The size of the last view each member's engine has taken in (its listener returned). */
  private final Map<String, Integer> viewsTakenIn = new ConcurrentHashMap<>();

  /** Wraps each member's channel before its engine starts (a test's decorator); none by default. */
  volatile UnaryOperator<ClusterChannel> channels = UnaryOperator.identity();

  EngineCluster(EngineConfig config) {
    this(config, InMemoryNetwork.Delivery.ASYNC, SessionStore.NONE);
  }

  EngineCluster(EngineConfig config, InMemoryNetwork.Delivery delivery, SessionStore store) {
    this.net = new InMemoryNetwork(delivery);
    this.config = config;
    this.store = store;
  }

  static EngineConfig testConfig() {
    return EngineConfig.defaults()
        .withSyncTimeout(Duration.ofSeconds(3))
        .withDrainTimeout(Duration.ofSeconds(5))
        .withStateTransferTimeout(Duration.ofSeconds(10));
  }

  /** Records what the engine told the adapter. */
  static final class Recorder implements SessionEvents {
    final List<String> ownershipLost = new CopyOnWriteArrayList<>();
    final List<SessionRecord> expired = new CopyOnWriteArrayList<>();
    final List<String> removedRemotely = new CopyOnWriteArrayList<>();

    @Override
    public void ownershipLost(String id) {
      ownershipLost.add(id);
    }

    @Override
    public void expired(SessionRecord record) {
      expired.add(record);
    }

    @Override
    public void removedRemotely(String id) {
      removedRemotely.add(id);
    }
  }

  SessionEngine start(String name) {
    ClusterChannel ch = new ViewsTakenIn(name, channels.apply(net.newChannel(name)));
    Recorder r = new Recorder();
    events.put(name, r);
    SessionEngine e = SessionEngines.create(config, ch, store, r, clock);
    e.start();
    synchronized (engines) {
      engines.put(name, e);
    }
    return e;
  }

  /** Starts the members and waits until every one sees all of them. */
  void startAll(String... names) {
    for (String n : names) {
      start(n);
    }
    awaitViewSize(names.length);
  }

  /** Waits on a condition, polling often (no fixed first delay). */
  static ConditionFactory eventually() {
    return await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5));
  }

  /**
   * Waits until every live engine has taken in a view of {@code n} members: the channel shows a
   * view before the engine's listener has seen it, and a clock advanced in between would count the
   * view change as later than it is.
   */
  void awaitViewSize(int n) {
    eventually()
        .until(
            () -> {
              synchronized (engines) {
                return engines.entrySet().stream()
                    .allMatch(
                        en ->
                            en.getValue().view().size() == n
                                && Integer.valueOf(n).equals(viewsTakenIn.get(en.getKey())));
              }
            });
  }

  /** Notes the size of each view once the engine's membership listener has returned from it. */
  private final class ViewsTakenIn extends ForwardingChannel {
    private final String name;

    ViewsTakenIn(String name, ClusterChannel delegate) {
      super(delegate);
      this.name = name;
    }

    @Override
    public void addMembershipListener(MembershipListener listener) {
      super.addMembershipListener(
          ev -> {
            listener.onEvent(ev);
            if (ev instanceof MembershipEvent.ViewInstalled v) {
              viewsTakenIn.put(name, v.current().size());
            } else if (ev instanceof MembershipEvent.Merged m) {
              viewsTakenIn.put(name, m.view().size());
            }
          });
    }
  }

  SessionEngine get(String name) {
    synchronized (engines) {
      return engines.get(name);
    }
  }

  List<SessionEngine> live() {
    synchronized (engines) {
      return new ArrayList<>(engines.values());
    }
  }

  /** Crashes a member: no goodbye, no drain. */
  void kill(String name) {
    SessionEngine e;
    synchronized (engines) {
      e = engines.remove(name);
    }
    net.kill(name);
    e.close(); // the channel is dead: the drain has nobody to talk to and returns at once
  }

  /** Stops a member gracefully (drains). */
  void stop(String name) {
    SessionEngine e;
    synchronized (engines) {
      e = engines.remove(name);
    }
    e.close();
  }

  /** The member that currently owns {@code id}, if any. */
  Optional<String> ownerOf(String id) {
    List<String> owners = new ArrayList<>();
    synchronized (engines) {
      engines.forEach(
          (n, e) -> {
            if (e.owns(id)) {
              owners.add(n);
            }
          });
    }
    return owners.size() == 1 ? Optional.of(owners.get(0)) : Optional.empty();
  }

  @Override
  public void close() {
    for (SessionEngine e : live()) {
      try {
        e.close();
      } catch (RuntimeException ignored) {
        // closing everything
      }
    }
    net.close();
  }

  // ---------------------------------------------------------------- updates

  static byte[] intBytes(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  static int intOf(byte[] b) {
    return ByteBuffer.wrap(b).getInt();
  }

  SessionUpdate create(String id, Map<String, byte[]> attrs) {
    long now = clock.millis();
    return new SessionUpdate(id, true, now, now, 1800, true, null, null, attrs, Set.of(), Map.of());
  }

  SessionUpdate set(String id, Map<String, byte[]> attrs) {
    long now = clock.millis();
    return new SessionUpdate(
        id, false, now, now, 1800, false, null, null, attrs, Set.of(), Map.of());
  }

  SessionUpdate remove(String id, String... names) {
    long now = clock.millis();
    return new SessionUpdate(
        id, false, now, now, 1800, false, null, null, Map.of(), Set.of(names), Map.of());
  }

  static Map<String, byte[]> attrs(Object... kv) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      m.put((String) kv[i], v instanceof Integer n ? intBytes(n) : (byte[]) v);
    }
    return Collections.unmodifiableMap(m);
  }
}
