package dev.cohort.jgroups;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.security.MessageDigest;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;

/**
 * The AUTH token of a secured cluster: a proof derived from the shared secret (never the secret
 * itself). A joiner whose proof differs is refused. Public with a no-argument constructor because
 * JGroups instantiates received tokens by reflection.
 */
public final class SecretToken extends AuthToken {
  private static final int MAX_PROOF = 64;
  private byte[] proof = new byte[0];

  public SecretToken() {}

  SecretToken(byte[] proof) {
    this.proof = proof.clone();
  }

  @Override
  public String getName() {
    return "cohort-secret";
  }

  @Override
  public int size() {
    return 1 + proof.length;
  }

  @Override
  public boolean authenticate(AuthToken token, Message msg) {
    return token instanceof SecretToken other
        && proof.length > 0
        && MessageDigest.isEqual(proof, other.proof);
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeByte(proof.length);
    out.write(proof);
  }

  @Override
  public void readFrom(DataInput in) throws IOException {
    int len = in.readUnsignedByte();
    if (len > MAX_PROOF) {
      throw new IOException("join proof of " + len + " bytes is longer than " + MAX_PROOF);
    }
    byte[] p = new byte[len];
    in.readFully(p);
    proof = p;
  }

  @Override
  public String toString() {
    return "SecretToken[" + proof.length + " bytes]";
  }
}
