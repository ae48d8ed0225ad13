package dev.cohort.jgroups;

import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.stack.Protocol;
import org.jgroups.util.FastArray;
import org.jgroups.util.MessageBatch;

/**
 * Sits directly above the transport when the channel has a secret: every message going down is
 * sealed whole by {@link Sealer} — headers (NAKACK2 and UNICAST3 sequence numbers, GMS, FD,
 * discovery, ...), flags, addresses and payload — and every message coming up is opened, or dropped
 * and counted. Retransmissions come down again and are sealed afresh. What the transport adds stays
 * readable: its own header (the cluster name) and the outer source and destination, which must
 * match the sealed ones.
 *
 * <p>Also follows the views going down, so that {@link ClusterKeys} knows the coordinator whose
 * salt to adopt.
 */
public class Seal extends Protocol {
  static final short PROTOCOL_ID = 1961;

  static {
    ClassConfigurator.addProtocol(PROTOCOL_ID, Seal.class);
  }

  private final Sealer sealer;

  Seal(Sealer sealer) {
    this.sealer = sealer;
  }

  @Override
  public Object down(Message msg) {
    if (msg.getSrc() == null) {
      msg.setSrc(local_addr);
    }
    return down_prot.down(sealer.seal(msg, msg.dest() == null ? Streams.MULTICAST : msg.dest()));
  }

  @Override
  public Object down(Event evt) {
    if (evt.getType() == Event.VIEW_CHANGE) {
      View v = evt.getArg();
      sealer.keys().coordinator(v.getCoord());
    }
    return down_prot.down(evt);
  }

  @Override
  public Object up(Message msg) {
    Message inner = sealer.open(msg, msg.getSrc(), this::forMe);
    return inner == null ? null : up_prot.up(inner);
  }

  @Override
  public void up(MessageBatch batch) {
    FastArray<Message>.FastIterator it = (FastArray<Message>.FastIterator) batch.iterator();
    while (it.hasNext()) {
      Message inner = sealer.open(it.next(), batch.sender(), this::forMe);
      if (inner == null) {
        it.remove();
      } else {
        it.replace(inner);
      }
    }
    if (!batch.isEmpty()) {
      up_prot.up(batch);
    }
  }

  private boolean forMe(Address dest) {
    return dest.equals(local_addr) || dest.equals(getTransport().localPhysicalAddress());
  }

  /** Stream keys of paths that are not a destination address. */
  enum Streams {
    MULTICAST,
    MULTICAST_DISCOVERY
  }
}
