package dev.cohort.tomcat;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.store.SessionStore;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import java.time.Duration;

/**
 * The production engine: {@code JGroupsChannel} + {@code Stores.open} + {@link
 * SessionEngines#create}. The channel and the store are bound by name at run time, so a missing jar
 * is a clear start failure naming what to install.
 */
final class JGroupsEngineFactory implements EngineFactory {

  static final JGroupsEngineFactory INSTANCE = new JGroupsEngineFactory();

  private JGroupsEngineFactory() {}

  @Override
  public SessionEngine create(NodeConfig c, SessionEvents events) {
    SessionStore store = c.storeSpec() == null ? SessionStore.NONE : store(c.storeSpec());
    ClusterChannel channel;
    try {
      channel = channel(c);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    SessionEngine engine =
        SessionEngines.create(c.engine(), channel, store, events, Clock.systemUTC());
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
