package dev.cohort.jgroups;

import java.util.Collection;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.stack.Protocol;

/**
 * Sits just below GMS and reports every SUSPECT event travelling up (from FD_SOCK2 / FD_ALL3 via
 * VERIFY_SUSPECT), so the channel can tell its listeners {@code Suspected} before the view that
 * removes the member. Passes everything on unchanged.
 */
public class SuspectTap extends Protocol {
  static final short PROTOCOL_ID = 1962;

  static {
    ClassConfigurator.addProtocol(PROTOCOL_ID, SuspectTap.class);
  }

  private volatile Consumer<Collection<Address>> listener = s -> {};

  void onSuspect(Consumer<Collection<Address>> l) {
    this.listener = l;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object up(Event evt) {
    if (evt.getType() == Event.SUSPECT) {
      listener.accept((Collection<Address>) evt.getArg());
    }
    return up_prot.up(evt);
  }
}
