package dev.cohort.tomcat;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.engine.EngineConfig;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.store.SessionStore;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;

/**
 * The production engine: {@code JGroupsChannel} + {@code Stores.open} + {@code
 * SessionEngines.create}. Bound by name at run time so that this adapter builds while the sibling
 * modules evolve; a missing class is a clear start failure.
 */
final class JGroupsEngineFactory implements EngineFactory {

  static final JGroupsEngineFactory INSTANCE = new JGroupsEngineFactory();

  private JGroupsEngineFactory() {}

  @Override
  public SessionEngine create(NodeConfig c, SessionEvents events) {
    ClusterChannel channel = channel(c);
    SessionStore store = c.storeSpec() == null ? SessionStore.NONE : store(c.storeSpec());
    try {
      Method create =
          Class.forName("dev.cohort.core.engine.SessionEngines")
              .getMethod(
                  "create",
                  EngineConfig.class,
                  ClusterChannel.class,
                  SessionStore.class,
                  SessionEvents.class,
                  Clock.class);
      return (SessionEngine)
          create.invoke(null, c.engine(), channel, store, events, Clock.systemUTC());
    } catch (ReflectiveOperationException e) {
      channel.close();
      store.close();
      throw failure("the session engine (cohort-core SessionEngines)", e);
    }
  }

  private static ClusterChannel channel(NodeConfig c) {
    try {
      Class<?> cfgType = Class.forName("dev.cohort.jgroups.JGroupsConfig");
      Constructor<?> ctor =
          cfgType.getConstructor(
              String.class,
              String.class,
              String.class,
              int.class,
              int.class,
              String.class,
              Duration.class,
              Duration.class,
              String.class,
              int.class);
      Object cfg =
          ctor.newInstance(
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
      return (ClusterChannel)
          Class.forName("dev.cohort.jgroups.JGroupsChannel")
              .getConstructor(cfgType)
              .newInstance(cfg);
    } catch (ReflectiveOperationException e) {
      throw failure("the JGroups channel (cohort-jgroups)", e);
    }
  }

  private static SessionStore store(String spec) {
    try {
      return (SessionStore)
          Class.forName("dev.cohort.store.Stores")
              .getMethod("open", String.class)
              .invoke(null, spec);
    } catch (ReflectiveOperationException e) {
      throw failure("the session store (store attribute)", e);
    }
  }

  private static RuntimeException failure(String what, ReflectiveOperationException e) {
    if (e instanceof InvocationTargetException ite) {
      Throwable t = ite.getCause();
      if (t instanceof RuntimeException re) {
        return re;
      }
      return new IllegalStateException("cannot create " + what + ": " + t, t);
    }
    return new IllegalStateException(
        "cannot create "
            + what
            + ": "
            + e
            + " — put the cohort-tomcat-all jar (which contains it) in $CATALINA_HOME/lib",
        e);
  }
}
