package dev.cohort.jgroups;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import org.jgroups.Event;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Responses;

/**
 * Keeps a joiner of a secured cluster discovering while it hears members it cannot read yet.
 *
 * <p>A joiner seals its discovery requests under its own new salt, whose keys each member derives
 * (PBKDF2: a fraction of a second, seconds on a busy machine) before it can answer; the members'
 * own discovery requests, under the cluster's salt, are unreadable to the joiner until it has
 * derived that salt in turn. GMS gives discovery one join timeout and, finding nobody, forms a
 * cluster of its own, which a merge joins to the others seconds later. This protocol sits just
 * above discovery and handles the joiner's {@code FIND_INITIAL_MBRS}: the first round runs for the
 * join timeout as GMS would wait; when it found nobody while a frame under a salt without keys
 * arrived (or a derivation is still running), it asks again in short rounds, for at most {@code
 * patience} more, and stops as soon as anyone answers. A member alone on its network hears nothing
 * it cannot read, so it forms its cluster after one join timeout, as without a secret.
 *
 * <p>The answers it returns are complete ({@link Responses#done()}), so GMS does not wait again.
 */
public class SealedDiscoveryWait extends Protocol {
  static final short PROTOCOL_ID = 1965;
  private static final System.Logger LOG = System.getLogger(SealedDiscoveryWait.class.getName());

  static {
    ClassConfigurator.addProtocol(PROTOCOL_ID, SealedDiscoveryWait.class);
  }

  private final ClusterKeys keys;
  private final long patienceNanos;
  private volatile long startedAt;

  /**
   * @param keys the channel's keys, which note frames they could not open yet
   * @param patienceMillis the longest wait beyond the first round
   */
  SealedDiscoveryWait(ClusterKeys keys, long patienceMillis) {
    this.keys = keys;
    this.patienceNanos = TimeUnit.MILLISECONDS.toNanos(patienceMillis);
  }

  @Override
  public void start() throws Exception {
    startedAt = keys.nanoTime(); // frames heard from now on count, those before the join included
    super.start();
  }

  @Override
  public Object down(Event evt) {
    if (evt.getType() != Event.FIND_INITIAL_MBRS || !(evt.getArg() instanceof Long timeout)) {
      return down_prot.down(evt);
    }
    long since = startedAt;
    Object first = down_prot.down(evt);
    if (!(first instanceof Responses found)) {
      return first;
    }
    found.waitFor(timeout);
    long deadline = System.nanoTime() + patienceNanos;
    long round = Math.max(250, timeout / 4);
    int rounds = 0;
    while (found.isEmpty()
        && (keys.heardUnreadableSince(since) || keys.deriving())
        && System.nanoTime() - deadline < 0) {
      Object next = down_prot.down(new Event(Event.FIND_INITIAL_MBRS, round));
      if (!(next instanceof Responses again)) {
        break;
      }
      again.waitFor(round);
      again.done();
      found.add(again, local_addr);
      rounds++;
    }
    if (rounds > 0) {
      int extra = rounds;
      LOG.log(
          Level.INFO,
          () ->
              (found.isEmpty() ? "found no member" : "found " + found.size() + " members")
                  + " after "
                  + extra
                  + " more discovery rounds: members under a salt this node had to derive first");
    }
    found.done();
    return found;
  }
}
