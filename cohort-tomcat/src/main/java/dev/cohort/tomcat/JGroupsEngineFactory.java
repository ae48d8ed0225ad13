package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.store.SessionStore;
import dev.cohort.jgroups.JGroupsChannel;
import dev.cohort.jgroups.JGroupsConfig;
import dev.cohort.store.Stores;
import java.time.Clock;

/**
 * The production engine: a {@link JGroupsChannel}, the configured store ({@link Stores#open}) and
 * {@link SessionEngines#create}. The store is closed after the engine.
 */
final class JGroupsEngineFactory implements EngineFactory {

  static final JGroupsEngineFactory INSTANCE = new JGroupsEngineFactory();

  private JGroupsEngineFactory() {}

  /**
   * The channel settings of {@code c}; throws {@link IllegalArgumentException} naming the option.
   */
  static JGroupsConfig channelConfig(NodeConfig c) {
    return new JGroupsConfig(
        c.clusterName(),
        c.nodeName(),
        c.bindAddress(),
        c.port(),
        c.portRange(),
        c.discovery(),
        c.heartbeat(),
        c.dropTime(),
        c.secret(),
        c.engine().maxFrameBytes());
  }

  @Override
  public SessionEngine create(NodeConfig c, SessionEvents events) {
    JGroupsConfig channelConfig = channelConfig(c);
    SessionStore store = c.storeSpec() == null ? SessionStore.NONE : Stores.open(c.storeSpec());
    SessionEngine engine;
    try {
      engine =
          SessionEngines.create(
              c.engine(), new JGroupsChannel(channelConfig), store, events, Clock.systemUTC());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store == SessionStore.NONE ? engine : new StoreClosingEngine(engine, store);
  }

  /** The engine does not close the store it was given: close it after the engine. */
  private static final class StoreClosingEngine extends ForwardingEngine {
    private final SessionStore store;

    StoreClosingEngine(SessionEngine delegate, SessionStore store) {
      super(delegate);
      this.store = store;
    }

    @Override
    public void close() {
      try {
        super.close();
      } finally {
        store.close();
      }
    }
  }
}
