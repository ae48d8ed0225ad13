package dev.cohort.jgroups;

import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.MPING;

/**
 * JGroups' multicast discovery with sealed datagrams. MPING multicasts its discovery requests on a
 * socket of its own and hands what that socket receives straight to itself, so a {@link Seal} below
 * it never sees them: this subclass seals each request as {@link Seal} would (on a stream of its
 * own) and opens each datagram its receiver thread reads, dropping and counting what does not open.
 * Responses travel through the transport and {@link Seal} as usual.
 */
public class SealedMping extends MPING {
  static final short PROTOCOL_ID = 1964;

  static {
    ClassConfigurator.addProtocol(PROTOCOL_ID, SealedMping.class);
  }

  private final Sealer sealer;

  SealedMping(Sealer sealer) {
    this.sealer = sealer;
  }

  @Override
  protected void sendMcastDiscoveryRequest(Message msg) {
    if (msg.getSrc() == null) {
      msg.setSrc(local_addr);
    }
    super.sendMcastDiscoveryRequest(sealer.seal(msg, Seal.Streams.MULTICAST_DISCOVERY));
  }

  @Override
  public Object up(Message msg) {
    if (Thread.currentThread() != receiver) {
      return super.up(msg); // came up through the transport and Seal
    }
    Message inner = sealer.open(msg, msg.getSrc(), SealedMping::noUnicast);
    return inner == null ? null : super.up(inner);
  }

  private static boolean noUnicast(Address dest) {
    return false; // discovery requests are multicasts
  }
}
