package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.jgroups.SealCounters.Drop;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.GMS.GmsHeader;
import org.jgroups.protocols.pbcast.JoinRsp;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.UUID;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The challenge-response between two guards, wired by hand: no sockets, a manual clock. */
class JoinGuardTest {
  private static final short GMS_ID = ClassConfigurator.getProtocolId(GMS.class);
  private static final short GUARD_ID = JoinGuard.PROTOCOL_ID;

  private final AtomicLong nanos = new AtomicLong();
  private final ClusterKeys keys =
      new ClusterKeys("correct horse battery staple", "c1", "test-kdf", nanos::get, 1000);
  private final Node joiner = new Node(UUID.randomUUID());
  private final Node coord = new Node(UUID.randomUUID());

  /** A guard with recorders above and below it. */
  private final class Node {
    final Address addr;
    final SealCounters counters = new SealCounters("n", nanos::get);
    final JoinGuard guard = new JoinGuard(keys, counters, nanos::get);
    final Recorder above = new Recorder();
    final Recorder below = new Recorder();

    Node(Address addr) {
      this.addr = addr;
      guard.setAddress(addr);
      guard.setUpProtocol(above);
      guard.setDownProtocol(below);
    }

    /** What this node last sent, as the other side receives it (serialized, source set). */
    Message sent() {
      Message m = below.msgs.remove(below.msgs.size() - 1);
      try {
        org.jgroups.util.ByteArray b = Util.messageToBuffer(m);
        Message copy = Util.messageFromBuffer(b.array(), b.offset(), b.length());
        return copy.setSrc(addr);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  private static final class Recorder extends Protocol {
    final List<Message> msgs = new CopyOnWriteArrayList<>();

    @Override
    public Object down(Message msg) {
      msgs.add(msg);
      return null;
    }

    @Override
    public Object up(Message msg) {
      msgs.add(msg);
      return null;
    }

    @Override
    public void up(MessageBatch batch) {
      batch.forEach(msgs::add);
    }
  }

  @AfterEach
  void close() {
    keys.close();
  }

  private static Message gms(Address dest, byte type, Address mbr) {
    return new BytesMessage(dest)
        .setFlag(Message.Flag.OOB)
        .putHeader(GMS_ID, new GmsHeader(type, mbr));
  }

  private static byte gmsType(Message m) {
    return ((GmsHeader) m.getHeader(GMS_ID)).getType();
  }

  private static GuardHeader guardOf(Message m) {
    return m.getHeader(GUARD_ID);
  }

  /** Runs the exchange up to the proven request arriving at the coordinator; returns it. */
  private Message provenJoinRequest() {
    assertThat((Object) joiner.guard.down(gms(coord.addr, GmsHeader.JOIN_REQ, joiner.addr)))
        .isNull();
    Message ask = joiner.sent();
    assertThat((Object) ask.getHeader(GMS_ID)).as("the request is held").isNull();
    coord.guard.up(ask);
    assertThat(coord.above.msgs).isEmpty();
    joiner.guard.up(coord.sent());
    Message req = joiner.sent();
    assertThat(gmsType(req)).isEqualTo(GmsHeader.JOIN_REQ);
    assertThat(guardOf(req).type).isEqualTo(GuardHeader.PROOF);
    return req;
  }

  private void assertRefusedByTheCoordinator(Message req) {
    coord.guard.up(req);
    assertThat(coord.above.msgs).isEmpty();
    assertThat(coord.counters.count(Drop.JOIN_REFUSED)).isEqualTo(1);
  }

  @Test
  void join_isHeldForAChallenge_admitted_andItsResponseIsProven() {
    coord.guard.up(provenJoinRequest());
    assertThat(coord.above.msgs)
        .singleElement()
        .satisfies(m -> assertThat(gmsType(m)).isEqualTo(GmsHeader.JOIN_REQ));

    coord.guard.down(gms(joiner.addr, GmsHeader.JOIN_RSP, null));
    Message rsp = coord.sent();
    assertThat(guardOf(rsp).type).isEqualTo(GuardHeader.RESPONSE_PROOF);
    joiner.guard.up(rsp);
    assertThat(joiner.above.msgs)
        .singleElement()
        .satisfies(m -> assertThat(gmsType(m)).isEqualTo(GmsHeader.JOIN_RSP));
    assertThat(coord.counters.count(Drop.JOIN_REFUSED) + joiner.counters.count(Drop.JOIN_REFUSED))
        .isZero();
  }

  @Test
  void aReplayedJoinRequest_isRefused_counted_andAnswered() {
    Message req = provenJoinRequest();
    Message replay = req.copy(true, true);
    coord.guard.up(req);
    coord.guard.up(replay);
    assertThat(coord.above.msgs).hasSize(1);
    assertThat(coord.counters.count(Drop.JOIN_REFUSED)).isEqualTo(1);
    Message refusal = coord.sent();
    assertThat(gmsType(refusal)).isEqualTo(GmsHeader.JOIN_RSP);
    assertThat(guardOf(refusal).type).isEqualTo(GuardHeader.REJECTION);
  }

  @Test
  void aJoinRequestWithoutProof_isRefused_withAReasonTheJoinerSees() throws Exception {
    coord.guard.up(gms(coord.addr, GmsHeader.JOIN_REQ, joiner.addr).setSrc(joiner.addr));
    assertThat(coord.above.msgs).isEmpty();
    assertThat(coord.counters.count(Drop.JOIN_REFUSED)).isEqualTo(1);
    Message refusal = coord.sent();
    JoinRsp rsp =
        Util.streamableFromBuffer(
            JoinRsp::new, refusal.getArray(), refusal.getOffset(), refusal.getLength());
    assertThat(rsp.getFailReason()).contains("no challenge-response proof").contains("same secret");
  }

  @Test
  void aProofPresentedAfterItsNonceExpired_isRefused() {
    Message req = provenJoinRequest();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(JoinGuard.TTL_SECONDS) + 1);
    assertRefusedByTheCoordinator(req);
  }

  @Test
  void aNonceIssuedToOneJoiner_doesNotAdmitAnother() {
    Message req = provenJoinRequest();
    Address other = UUID.randomUUID();
    req.setSrc(other);
    req.putHeader(GMS_ID, new GmsHeader(GmsHeader.JOIN_REQ, other));
    assertRefusedByTheCoordinator(req);
  }

  @Test
  void aRequestNamingAnotherMember_isRefused() {
    Message req = provenJoinRequest();
    req.putHeader(GMS_ID, new GmsHeader(GmsHeader.JOIN_REQ, UUID.randomUUID()));
    assertRefusedByTheCoordinator(req);
  }

  @Test
  void aJoinResponseWithoutProof_isDroppedAndCounted_aRefusalEchoingTheNonceIsNot() {
    coord.guard.up(provenJoinRequest());
    joiner.guard.up(gms(joiner.addr, GmsHeader.JOIN_RSP, null).setSrc(coord.addr));
    assertThat(joiner.above.msgs).isEmpty();
    assertThat(joiner.counters.count(Drop.JOIN_REFUSED)).isEqualTo(1);

    Message fake = gms(joiner.addr, GmsHeader.JOIN_RSP, null).setSrc(coord.addr);
    fake.putHeader(GUARD_ID, GuardHeader.rejection((byte) 1, new byte[JoinGuard.NONCE]));
    joiner.guard.up(fake);
    assertThat(joiner.above.msgs).as("a refusal that does not echo our nonce").isEmpty();
  }

  @Test
  void aMerge_goesThroughTheSameChallenge() {
    assertThat((Object) joiner.guard.down(gms(coord.addr, GmsHeader.MERGE_REQ, joiner.addr)))
        .isNull();
    coord.guard.up(joiner.sent());
    joiner.guard.up(coord.sent());
    Message req = joiner.sent();
    assertThat(gmsType(req)).isEqualTo(GmsHeader.MERGE_REQ);
    coord.guard.up(req);
    assertThat(coord.above.msgs).hasSize(1);
    coord.guard.down(gms(joiner.addr, GmsHeader.MERGE_RSP, null));
    joiner.guard.up(coord.sent());
    assertThat(joiner.above.msgs)
        .singleElement()
        .satisfies(m -> assertThat(gmsType(m)).isEqualTo(GmsHeader.MERGE_RSP));
    coord.guard.up(req.copy(true, true));
    assertThat(coord.above.msgs).hasSize(1);
    assertThat(coord.counters.count(Drop.JOIN_REFUSED)).isEqualTo(1);
  }

  @Test
  void requestsToItself_passUnguarded() {
    Message self = gms(coord.addr, GmsHeader.MERGE_REQ, coord.addr);
    coord.guard.down(self);
    assertThat(coord.below.msgs).containsExactly(self);
    coord.guard.up(self.setSrc(coord.addr));
    assertThat(coord.above.msgs).containsExactly(self);
  }
}
