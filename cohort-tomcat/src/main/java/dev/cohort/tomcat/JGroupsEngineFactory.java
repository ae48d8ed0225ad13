package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.jgroups.JGroupsChannel;
import dev.cohort.jgroups.JGroupsConfig;
import java.time.Clock;

/**
 * The production engine: a {@link JGroupsChannel}, the configured store ({@link StoredEngine}:
 * queued, closed after the engine) and {@link SessionEngines#create}.
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
        c.engine().maxFrameBytes(),
        c.insecure());
  }

  @Override
  public SessionEngine create(NodeConfig c, SessionEvents events) {
    JGroupsConfig channelConfig = channelConfig(c);
    return StoredEngine.create(
        c.storeSpec(),
        store ->
            SessionEngines.create(
                c.engine(), new JGroupsChannel(channelConfig), store, events, Clock.systemUTC()));
  }
}
