package dev.cohort.core.engine;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.store.SessionStore;
import java.time.Clock;
import java.util.Objects;

/** Creates the replication engine of one member. */
public final class SessionEngines {
  private SessionEngines() {}

  /**
   * Creates an engine; nothing happens on the network until {@link SessionEngine#start()}, which
   * registers the engine's handlers on {@code channel} and connects it. {@link
   * SessionEngine#close()} drains owned sessions to their holders and then closes the channel.
   *
   * @param store the durable tier, or {@link SessionStore#NONE}; the engine does not close it
   * @param events callbacks into the container adapter, or {@link SessionEvents#NONE}
   * @param clock the time source for access times and expiry (a manual clock in tests)
   */
  public static SessionEngine create(
      EngineConfig config,
      ClusterChannel channel,
      SessionStore store,
      SessionEvents events,
      Clock clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(clock, "clock");
    return new ReplicationEngine(config, channel, store, events, clock);
  }
}
