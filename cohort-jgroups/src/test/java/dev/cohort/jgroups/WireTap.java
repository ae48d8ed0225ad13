package dev.cohort.jgroups;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/** Test protocol: records the payload bytes of every message coming up from the transport. */
public class WireTap extends Protocol {
  static {
    ClassConfigurator.addProtocol((short) 1970, WireTap.class);
  }

  final List<byte[]> payloads = new CopyOnWriteArrayList<>();

  private void record(Message m) {
    if (m.hasArray() && m.getLength() > 0) {
      byte[] b = new byte[m.getLength()];
      System.arraycopy(m.getArray(), m.getOffset(), b, 0, b.length);
      payloads.add(b);
    }
  }

  @Override
  public Object up(Message msg) {
    record(msg);
    return up_prot.up(msg);
  }

  @Override
  public void up(MessageBatch batch) {
    for (Message m : batch) {
      record(m);
    }
    up_prot.up(batch);
  }
}
