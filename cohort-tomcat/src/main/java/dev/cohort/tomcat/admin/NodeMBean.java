package dev.cohort.tomcat.admin;

import dev.cohort.tomcat.admin.NodeFigures.EngineFigures;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Publishes {@link CohortNodeMXBean} on the platform MBean server. Each attribute read takes a
 * fresh reading of the engines. When a second node of the same name runs in the same JVM (tests),
 * its bean gets an {@code instance} key instead of failing.
 */
final class NodeMBean implements CohortNodeMXBean {
  private final String node;
  private final Supplier<NodeFigures> reader;
  private ObjectName registered;

  NodeMBean(String node, Supplier<NodeFigures> reader) {
    this.node = node;
    this.reader = reader;
  }

  synchronized ObjectName register() throws JMException {
    if (registered != null) {
      return registered;
    }
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    String base = "dev.cohort:type=Node,node=" + ObjectName.quote(node);
    for (int i = 0; ; i++) {
      ObjectName name = new ObjectName(i == 0 ? base : base + ",instance=" + i);
      try {
        server.registerMBean(this, name);
        registered = name;
        return name;
      } catch (InstanceAlreadyExistsException e) {
        if (i > 100) {
          throw e;
        }
      }
    }
  }

  synchronized void unregister() throws JMException {
    if (registered == null) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
    } catch (InstanceNotFoundException e) {
      // already gone (someone unregistered it by name): nothing left to do
    }
    registered = null;
  }

  synchronized ObjectName objectName() {
    return registered;
  }

  @Override
  public String getNode() {
    return node;
  }

  @Override
  public boolean isReady() {
    return reader.get().ready();
  }

  @Override
  public long getViewId() {
    return reader.get().viewId();
  }

  @Override
  public String[] getMembers() {
    return reader.get().members().toArray(String[]::new);
  }

  @Override
  public int getEngines() {
    return reader.get().engines().size();
  }

  @Override
  public long getSessionsOwned() {
    return reader.get().sum(EngineFigures::owned);
  }

  @Override
  public long getSessionsReplicated() {
    return reader.get().sum(EngineFigures::replicated);
  }

  @Override
  public long getSessionsUnprotected() {
    return reader.get().sum(EngineFigures::unprotected);
  }

  @Override
  public long getHeldBytes() {
    return reader.get().sum(EngineFigures::heldBytes);
  }

  @Override
  public long getDeltasSent() {
    return reader.get().sum(EngineFigures::deltasSent);
  }

  @Override
  public long getDeltasApplied() {
    return reader.get().sum(EngineFigures::deltasApplied);
  }

  @Override
  public long getBytesSent() {
    return reader.get().sum(EngineFigures::bytesSent);
  }

  @Override
  public long getBytesReceived() {
    return reader.get().sum(EngineFigures::bytesReceived);
  }

  @Override
  public long getGaps() {
    return reader.get().sum(EngineFigures::gaps);
  }

  @Override
  public long getConflicts() {
    return reader.get().sum(EngineFigures::conflicts);
  }

  @Override
  public long getTakeovers() {
    return reader.get().sum(EngineFigures::takeovers);
  }

  @Override
  public long getExpired() {
    return reader.get().sum(EngineFigures::expired);
  }

  @Override
  public long getSyncTimeouts() {
    return reader.get().sum(EngineFigures::syncTimeouts);
  }

  @Override
  public long getMalformedFrames() {
    return reader.get().sum(EngineFigures::malformedFrames);
  }

  @Override
  public long getAcks() {
    return reader.get().sum(EngineFigures::ackCount);
  }

  @Override
  public double getAckLatencyAvgMicros() {
    return reader.get().ackAvgMicros();
  }

  @Override
  public double getAckLatencyMaxMicros() {
    return reader.get().max(EngineFigures::ackNanosMax) / 1000.0;
  }

  @Override
  public long getTransferReceived() {
    return reader.get().sum(EngineFigures::transferReceived);
  }

  @Override
  public long getTransferExpected() {
    return reader.get().sum(EngineFigures::transferExpected);
  }
}
