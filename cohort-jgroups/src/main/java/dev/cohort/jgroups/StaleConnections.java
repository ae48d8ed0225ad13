package dev.cohort.jgroups;

import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.View;
import org.jgroups.protocols.BasicTCP;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.IpAddress;

/**
 * Every few seconds, closes the transport's connections to addresses that stayed outside the view
 * for a whole round — JGroups itself closes connections to non-members only when a view is
 * installed.
 *
 * <p>Why: a member that leaves and comes back on the same address (a farm redeploy restarts a
 * context's channel in the same JVM, on the same port) can leave behind a socket that escaped its
 * shutdown and that nobody reads. A survivor that registered a connection for that address after
 * its last view change keeps it, and JGroups prefers an existing connection over a new one from the
 * same address whenever its own address sorts higher: every connection of the new incarnation is
 * turned away, and it stays alone in its own view indefinitely. Closing the stale connection lets
 * the next one in.
 *
 * <p>Connections to non-members are otherwise short-lived (discovery, joins, merges). Only a
 * connection to a non-member that was already there one round earlier is closed, so a member that
 * joins — and may talk to this one before this one has installed the view that lists it — is never
 * cut off. A round is skipped while a merge is in progress or a join, leave or merge request waits
 * to be handled, and when a member's physical address is not known.
 */
final class StaleConnections implements Runnable {
  static final long PERIOD_MS = 5_000;
  private static final System.Logger LOG = System.getLogger(StaleConnections.class.getName());

  private final JChannel ch;

  /**
   * Connections to non-members seen at the previous round. Rounds never overlap, but the timer may
   * run them on different threads: guarded by this.
   */
  private Set<Address> suspects = Set.of();

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

  private synchronized void sweep() {
    View view = ch.getView();
    GMS gms = ch.getProtocolStack().findProtocol(GMS.class);
    if (view == null
        || gms == null
        || gms.isMergeInProgress()
        || gms.getViewHandlerSize() > 0
        || !(ch.getProtocolStack().getTransport() instanceof BasicTCP tcp)) {
      return;
    }
    Set<Address> members = new HashSet<>();
    for (Address member : view.getMembers()) {
      PhysicalAddress physical = tcp.getPhysicalAddressFromCache(member);
      if (physical == null) {
        return;
      }
      members.add(physical);
    }
    Set<Address> connected = connections(tcp);
    Set<Address> outside = new HashSet<>(connected);
    outside.removeAll(members);
    Set<Address> stale = new HashSet<>(outside);
    stale.retainAll(suspects);
    outside.removeAll(stale);
    suspects = outside;
    if (stale.isEmpty()) {
      return;
    }
    connected.removeAll(stale);
    tcp.retainAll(connected);
    LOG.log(
        Level.DEBUG,
        "closed connections to " + stale + ", outside view " + view.getViewId() + " for a round");
  }

  /**
   * The addresses the transport holds connections to, read from its connection table's printout
   * (one {@code address: connection} line each; JGroups offers no accessor for the keys).
   */
  static Set<Address> connections(BasicTCP tcp) {
    Set<Address> out = new HashSet<>();
    for (String line : tcp.printConnections().split("\n")) {
      int end = line.indexOf(": ");
      if (end <= 0) {
        continue;
      }
      try {
        out.add(new IpAddress(line.substring(0, end).trim()));
      } catch (Exception e) {
        // not an address line
      }
    }
    return out;
  }
}
