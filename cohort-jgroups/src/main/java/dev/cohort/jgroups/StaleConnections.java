package dev.cohort.jgroups;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.View;
import org.jgroups.protocols.BasicTCP;
import org.jgroups.protocols.TCP_NIO2;
import org.jgroups.protocols.pbcast.GMS;

/**
 * Every few seconds, closes the transport's connections to addresses outside the view — what
 * JGroups itself does only when a view is installed.
 *
 * <p>Why: a member that leaves and comes back on the same address (a farm redeploy restarts a
 * context's channel in the same JVM, on the same port) can leave behind a socket that escaped its
 * shutdown and that nobody reads. A survivor that registered a connection for that address after
 * its last view change keeps it, and JGroups prefers an existing connection over a new one from the
 * same address whenever its own address sorts higher: every connection of the new incarnation is
 * turned away, and it stays alone in its own view indefinitely. Closing the stale connection lets
 * the next one in.
 *
 * <p>Connections to non-members are otherwise short-lived (discovery, joins, merges), so a round is
 * skipped while a merge is in progress or a join, leave or merge request waits to be handled, and
 * when a member's physical address is not known.
 */
final class StaleConnections implements Runnable {
  static final long PERIOD_MS = 5_000;
  private static final System.Logger LOG = System.getLogger(StaleConnections.class.getName());

  private final JChannel ch;

  private StaleConnections(JChannel ch) {
    this.ch = ch;
  }

  /** Starts the sweep on the channel's own timer; cancel the returned future to stop it. */
  static Future<?> start(JChannel ch) {
    return ch.getProtocolStack()
        .getTransport()
        .getTimer()
        .scheduleWithFixedDelay(
            new StaleConnections(ch), PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    try {
      sweep();
    } catch (RuntimeException e) {
      // the timer's task boundary: a failed round is retried at the next one
      LOG.log(Level.DEBUG, "stale connection sweep failed: " + e);
    }
  }

  private void sweep() {
    View view = ch.getView();
    GMS gms = ch.getProtocolStack().findProtocol(GMS.class);
    if (view == null
        || gms == null
        || gms.isMergeInProgress()
        || gms.getViewHandlerSize() > 0
        || !(ch.getProtocolStack().getTransport() instanceof BasicTCP tcp)) {
      return;
    }
    List<Address> keep = new ArrayList<>(view.size());
    for (Address member : view.getMembers()) {
      PhysicalAddress physical = tcp.getPhysicalAddressFromCache(member);
      if (physical == null) {
        return;
      }
      keep.add(physical);
    }
    int before = tcp instanceof TCP_NIO2 nio ? nio.getOpenConnections() : -1;
    tcp.retainAll(keep);
    if (tcp instanceof TCP_NIO2 nio && nio.getOpenConnections() < before) {
      LOG.log(
          Level.DEBUG,
          "closed "
              + (before - nio.getOpenConnections())
              + " connections to addresses outside view "
              + view.getViewId());
    }
  }
}
