package dev.cohort.jgroups;

import dev.cohort.jgroups.ClusterKeys.SaltKeys;
import dev.cohort.jgroups.SealCounters.Drop;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.GMS.GmsHeader;
import org.jgroups.protocols.pbcast.JoinRsp;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;

/**
 * Challenge-response for the requests that change membership, where JGroups' AUTH would sit (just
 * below GMS). A JOIN_REQ (with or without state transfer) or MERGE_REQ going down to another member
 * is held; the requester asks that member for a challenge with a fresh nonce of its own, the
 * responder answers with a fresh single-use nonce, and only then does the request go, carrying
 * HMAC(membership key, request kind | both nonces | requester | responder | cluster). The responder
 * admits it only if its nonce is outstanding, unused, younger than {@value #TTL_SECONDS} s and was
 * issued to that requester for that kind of request; its JOIN_RSP or MERGE_RSP then carries an HMAC
 * over the requester's nonce, so the requester knows the responder holds the secret too. The
 * membership key is derived apart from the sealing key ({@link ClusterKeys}).
 *
 * <p>A refused join gets a JOIN_RSP naming the reason (GMS turns it into a SecurityException, so
 * {@code connect()} fails with it), a refused merge a rejected MERGE_RSP; either is counted.
 * Requests to or from this member itself pass. Every frame here already travels sealed ({@link
 * Seal}); this layer makes sure no membership proof can be replayed even so.
 */
public class JoinGuard extends Protocol {
  static final short PROTOCOL_ID = 1963;
  static final short HEADER_MAGIC = 1963;
  static final int NONCE = 16;
  static final int MAC = 32;
  static final long TTL_SECONDS = 30;
  private static final long TTL_NANOS = TimeUnit.SECONDS.toNanos(TTL_SECONDS);
  private static final int MAX_PENDING = 256;
  static final byte JOIN = 1;
  static final byte MERGE = 2;
  private static final short GMS_ID = ClassConfigurator.getProtocolId(GMS.class);
  private static final System.Logger LOG = System.getLogger(JoinGuard.class.getName());

  static {
    ClassConfigurator.addProtocol(PROTOCOL_ID, JoinGuard.class);
    ClassConfigurator.add(HEADER_MAGIC, GuardHeader.class);
  }

  /** Pending state with a birth time. */
  private interface Timed {
    long at();
  }

  /** A request this member holds until the responder's challenge arrives. */
  private static final class Asked implements Timed {
    final Message held;
    final byte kind;
    final byte[] mine;
    final long at;
    byte[] theirs; // guarded by this
    Salt salt; // guarded by this

    Asked(Message held, byte kind, byte[] mine, long at) {
      this.held = held;
      this.kind = kind;
      this.mine = mine;
      this.at = at;
    }

    @Override
    public long at() {
      return at;
    }
  }

  private record Issued(Address requester, byte kind, byte[] theirs, long at) {}

  private record Admitted(byte[] theirs, byte[] mine, Salt salt, long at) implements Timed {}

  private record Peer(Address address, byte kind) {}

  private final ClusterKeys keys;
  private final SealCounters counters;
  private final LongSupplier nanos;
  private final Map<Address, Asked> asked = new ConcurrentHashMap<>();
  private final Map<Peer, Admitted> admitted = new ConcurrentHashMap<>();
  private final Map<ByteBuffer, Issued> issued =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Issued> eldest) {
          return size() > MAX_PENDING;
        }
      };

  JoinGuard(ClusterKeys keys, SealCounters counters, LongSupplier nanos) {
    this.keys = keys;
    this.counters = counters;
    this.nanos = nanos;
  }

  // ---- down: hold requests, prove responses

  @Override
  public Object down(Message msg) {
    GmsHeader g = gms(msg);
    Address dest = msg.dest();
    if (g == null || dest == null || dest.equals(local_addr)) {
      return down_prot.down(msg);
    }
    byte kind = requestKind(g.getType());
    if (kind != 0) {
      byte[] mine = nonce();
      forget(asked);
      asked.put(dest, new Asked(msg, kind, mine, nanos.getAsLong()));
      return down_prot.down(control(dest, GuardHeader.challengeRequest(kind, mine)));
    }
    kind = responseKind(g.getType());
    if (kind != 0) {
      Admitted a = admitted.remove(new Peer(dest, kind));
      SaltKeys k = a == null ? null : keys.cached(a.salt());
      if (k != null) {
        msg.putHeader(
            id,
            GuardHeader.responseProof(
                kind, mac(k, "rsp", kind, a.theirs(), a.mine(), dest, local_addr)));
      }
    }
    return down_prot.down(msg);
  }

  // ---- up: answer challenges, admit requests, check responses

  @Override
  public Object up(Message msg) {
    return admit(msg) ? up_prot.up(msg) : null;
  }

  @Override
  public void up(MessageBatch batch) {
    batch.removeIf(m -> !admit(m), true);
    if (!batch.isEmpty()) {
      up_prot.up(batch);
    }
  }

  private boolean admit(Message msg) {
    GuardHeader h = msg.getHeader(id);
    GmsHeader g = gms(msg);
    Address src = msg.src();
    if (g == null) {
      if (h != null) {
        onChallenge(src, h);
        return false;
      }
      return true;
    }
    if (src == null || src.equals(local_addr)) {
      return true;
    }
    byte kind = requestKind(g.getType());
    if (kind != 0) {
      return admitRequest(msg, g, h, kind, src);
    }
    kind = responseKind(g.getType());
    if (kind != 0) {
      return admitResponse(h, kind, src);
    }
    return true;
  }

  private void onChallenge(Address src, GuardHeader h) {
    if (src == null) {
      return;
    }
    if (h.type == GuardHeader.CHALLENGE_REQUEST) {
      byte[] mine = nonce();
      synchronized (issued) {
        issued.put(
            ByteBuffer.wrap(mine), new Issued(src, h.kind, h.requesterNonce, nanos.getAsLong()));
      }
      down_prot.down(control(src, GuardHeader.challenge(h.kind, h.requesterNonce, mine)));
    } else if (h.type == GuardHeader.CHALLENGE) {
      Asked a = asked.get(src);
      if (a == null || a.kind != h.kind || !Arrays.equals(a.mine, h.requesterNonce)) {
        return; // for a request that was replaced or answered
      }
      SaltKeys k = keys.sealingKeys(src);
      synchronized (a) {
        if (a.theirs != null) {
          return; // a duplicate challenge: the request went already
        }
        a.theirs = h.responderNonce;
        a.salt = k.salt();
      }
      byte[] proof = mac(k, "req", a.kind, h.responderNonce, a.mine, local_addr, src);
      a.held.putHeader(id, GuardHeader.proof(a.kind, a.mine, h.responderNonce, k.salt(), proof));
      down_prot.down(a.held);
    }
  }

  private boolean admitRequest(Message msg, GmsHeader g, GuardHeader h, byte kind, Address src) {
    if (g.getMember() != null && !g.getMember().equals(src)) {
      return refuse(msg, g, h, kind, src, "the request names another member than its sender");
    }
    if (h == null || h.type != GuardHeader.PROOF || h.kind != kind) {
      return refuse(msg, g, h, kind, src, "it carries no challenge-response proof");
    }
    Issued i;
    synchronized (issued) {
      i = issued.remove(ByteBuffer.wrap(h.responderNonce));
    }
    long now = nanos.getAsLong();
    if (i == null
        || now - i.at() > TTL_NANOS
        || !i.requester().equals(src)
        || i.kind() != kind
        || !Arrays.equals(i.theirs(), h.requesterNonce)) {
      return refuse(
          msg,
          g,
          h,
          kind,
          src,
          "its nonce is not one this member issued to it, or was used or expired");
    }
    SaltKeys k = keys.lookup(h.salt);
    if (k == null) {
      counters.drop(Drop.AWAITING_KEY, src, "membership proof under salt " + h.salt);
      return false; // the requester asks again after its timeout
    }
    byte[] expected = mac(k, "req", kind, h.responderNonce, h.requesterNonce, src, local_addr);
    if (!MessageDigest.isEqual(expected, h.mac)) {
      return refuse(msg, g, h, kind, src, "its proof does not verify");
    }
    forget(admitted);
    admitted.put(
        new Peer(src, kind), new Admitted(h.requesterNonce, h.responderNonce, h.salt, now));
    return true;
  }

  private boolean refuse(
      Message msg, GmsHeader g, GuardHeader h, byte kind, Address src, String why) {
    counters.drop(Drop.JOIN_REFUSED, src, (kind == JOIN ? "join" : "merge") + " refused: " + why);
    byte[] echo = h == null ? null : h.requesterNonce;
    GuardHeader reject = GuardHeader.rejection(kind, echo);
    Message rsp;
    if (kind == JOIN) {
      String reason =
          "joining cluster "
              + keys.cluster()
              + " failed [coordinator "
              + local_addr
              + "]: the coordinator refused the join request because "
              + why
              + " — check that every member has the same secret";
      rsp =
          new BytesMessage(src)
              .putHeader(GMS_ID, new GmsHeader(GmsHeader.JOIN_RSP))
              .setArray(GMS.marshal(new JoinRsp(reason)));
    } else {
      rsp =
          new EmptyMessage(src)
              .setFlag(Message.Flag.OOB)
              .putHeader(
                  GMS_ID,
                  new GmsHeader(GmsHeader.MERGE_RSP).mergeId(g.getMergeId()).mergeRejected(true));
    }
    rsp.putHeader(id, reject);
    down_prot.down(rsp);
    return false;
  }

  private boolean admitResponse(GuardHeader h, byte kind, Address src) {
    Asked a = asked.get(src);
    if (a == null || a.kind != kind) {
      LOG.log(Level.DEBUG, () -> "dropped a membership response from " + src + " nobody waits for");
      return false;
    }
    if (h != null
        && h.type == GuardHeader.REJECTION
        && h.kind == kind
        && Arrays.equals(h.requesterNonce, a.mine)) {
      asked.remove(src, a);
      return true; // GMS reports the refusal
    }
    byte[] theirs;
    Salt salt;
    synchronized (a) {
      theirs = a.theirs;
      salt = a.salt;
    }
    SaltKeys k = salt == null ? null : keys.cached(salt);
    if (h == null
        || h.type != GuardHeader.RESPONSE_PROOF
        || h.kind != kind
        || k == null
        || !MessageDigest.isEqual(mac(k, "rsp", kind, a.mine, theirs, local_addr, src), h.mac)) {
      counters.drop(Drop.JOIN_REFUSED, src, "membership response without a valid proof");
      return false;
    }
    asked.remove(src, a);
    return true;
  }

  // ---- helpers

  private static GmsHeader gms(Message msg) {
    return msg.getHeader(GMS_ID) instanceof GmsHeader g ? g : null;
  }

  private static byte requestKind(byte type) {
    return switch (type) {
      case GmsHeader.JOIN_REQ, GmsHeader.JOIN_REQ_WITH_STATE_TRANSFER -> JOIN;
      case GmsHeader.MERGE_REQ -> MERGE;
      default -> 0;
    };
  }

  private static byte responseKind(byte type) {
    return switch (type) {
      case GmsHeader.JOIN_RSP -> JOIN;
      case GmsHeader.MERGE_RSP -> MERGE;
      default -> 0;
    };
  }

  private Message control(Address dest, GuardHeader h) {
    return new EmptyMessage(dest).setFlag(Message.Flag.OOB).putHeader(id, h);
  }

  private byte[] nonce() {
    byte[] n = new byte[NONCE];
    keys.random().nextBytes(n);
    return n;
  }

  /** Keeps a pending-state map bounded: drops what expired once it is full. */
  private void forget(Map<?, ? extends Timed> map) {
    if (map.size() < MAX_PENDING) {
      return;
    }
    long now = nanos.getAsLong();
    map.values().removeIf(v -> now - v.at() > TTL_NANOS);
    if (map.size() >= MAX_PENDING) {
      map.clear(); // only members that hold the secret get here; they ask again
    }
  }

  /**
   * HMAC(membership key, label | kind | nonceA | nonceB | requester | responder | cluster): "req"
   * over the responder's nonce then the requester's, "rsp" the other way round.
   */
  private byte[] mac(
      SaltKeys k,
      String label,
      byte kind,
      byte[] a,
      byte[] b,
      Address requester,
      Address responder) {
    try {
      ByteArrayDataOutputStream out = new ByteArrayDataOutputStream(128);
      out.write(("cohort membership v1 " + label).getBytes(StandardCharsets.UTF_8));
      out.writeByte(kind);
      out.write(a);
      out.write(b);
      Util.writeAddress(requester, out);
      Util.writeAddress(responder, out);
      out.write(keys.cluster().getBytes(StandardCharsets.UTF_8));
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(k.join());
      m.update(out.buffer(), 0, out.position());
      return m.doFinal();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("computing a membership proof failed: " + e, e);
    }
  }
}
