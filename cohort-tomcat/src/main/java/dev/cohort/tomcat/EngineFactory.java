package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEvents;

/**
 * Builds the (not yet started) engine of one replicated context. The default builds a JGroups
 * channel and the configured store; tests and embedders may pass another one to {@link
 * ReplicatedManager#setEngineFactory} or {@link CohortCluster#setEngineFactory}.
 */
@FunctionalInterface
public interface EngineFactory {

  /**
   * @param config the validated settings of the context
   * @param events the adapter's callbacks
   * @return an engine, not started yet
   */
  SessionEngine create(NodeConfig config, SessionEvents events);

  /** JGroups channel + optional store + the core engine. */
  static EngineFactory jgroups() {
    return JGroupsEngineFactory.INSTANCE;
  }
}
