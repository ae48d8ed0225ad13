package dev.cohort.jgroups;

import static dev.cohort.jgroups.JoinGuard.HEADER_MAGIC;
import static dev.cohort.jgroups.JoinGuard.MAC;
import static dev.cohort.jgroups.JoinGuard.NONCE;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Supplier;
import org.jgroups.Header;

/**
 * {@link JoinGuard}'s header: on its challenge messages, and the proofs on GMS membership requests
 * and responses. Fixed-size fields only. Public with a no-argument constructor because JGroups
 * creates received headers by reflection.
 */
public final class GuardHeader extends Header {
  static final byte CHALLENGE_REQUEST = 1;
  static final byte CHALLENGE = 2;
  static final byte PROOF = 3;
  static final byte RESPONSE_PROOF = 4;
  static final byte REJECTION = 5;

  byte type;
  byte kind;
  byte[] requesterNonce;
  byte[] responderNonce;
  Salt salt;
  byte[] mac;

  public GuardHeader() {}

  static GuardHeader challengeRequest(byte kind, byte[] requesterNonce) {
    GuardHeader h = of(CHALLENGE_REQUEST, kind);
    h.requesterNonce = requesterNonce;
    return h;
  }

  static GuardHeader challenge(byte kind, byte[] requesterNonce, byte[] responderNonce) {
    GuardHeader h = challengeRequest(kind, requesterNonce);
    h.type = CHALLENGE;
    h.responderNonce = responderNonce;
    return h;
  }

  static GuardHeader proof(
      byte kind, byte[] requesterNonce, byte[] responderNonce, Salt salt, byte[] mac) {
    GuardHeader h = challenge(kind, requesterNonce, responderNonce);
    h.type = PROOF;
    h.salt = salt;
    h.mac = mac;
    return h;
  }

  static GuardHeader responseProof(byte kind, byte[] mac) {
    GuardHeader h = of(RESPONSE_PROOF, kind);
    h.mac = mac;
    return h;
  }

  /** A refusal; echoes the requester's nonce when the request carried one. */
  static GuardHeader rejection(byte kind, byte[] requesterNonce) {
    GuardHeader h = of(REJECTION, kind);
    h.requesterNonce = requesterNonce == null ? new byte[NONCE] : requesterNonce;
    return h;
  }

  private static GuardHeader of(byte type, byte kind) {
    GuardHeader h = new GuardHeader();
    h.type = type;
    h.kind = kind;
    return h;
  }

  @Override
  public short getMagicId() {
    return HEADER_MAGIC;
  }

  @Override
  public Supplier<? extends Header> create() {
    return GuardHeader::new;
  }

  private boolean hasRequesterNonce() {
    return type != RESPONSE_PROOF;
  }

  private boolean hasResponderNonce() {
    return type == CHALLENGE || type == PROOF;
  }

  private boolean hasMac() {
    return type == PROOF || type == RESPONSE_PROOF;
  }

  @Override
  public int serializedSize() {
    return 2
        + (hasRequesterNonce() ? NONCE : 0)
        + (hasResponderNonce() ? NONCE : 0)
        + (type == PROOF ? Salt.BYTES : 0)
        + (hasMac() ? MAC : 0);
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeByte(type);
    out.writeByte(kind);
    if (hasRequesterNonce()) {
      out.write(requesterNonce);
    }
    if (hasResponderNonce()) {
      out.write(responderNonce);
    }
    if (type == PROOF) {
      out.write(salt.bytes());
    }
    if (hasMac()) {
      out.write(mac);
    }
  }

  @Override
  public void readFrom(DataInput in) throws IOException {
    type = in.readByte();
    kind = in.readByte();
    if (type < CHALLENGE_REQUEST
        || type > REJECTION
        || (kind != JoinGuard.JOIN && kind != JoinGuard.MERGE)) {
      throw new IOException("not a membership guard header: type " + type + ", kind " + kind);
    }
    requesterNonce = hasRequesterNonce() ? read(in, NONCE) : null;
    responderNonce = hasResponderNonce() ? read(in, NONCE) : null;
    salt = type == PROOF ? Salt.read(read(in, Salt.BYTES), 0) : null;
    mac = hasMac() ? read(in, MAC) : null;
  }

  private static byte[] read(DataInput in, int n) throws IOException {
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  @Override
  public String toString() {
    return "GuardHeader[type " + type + ", kind " + kind + "]";
  }
}
