package dev.cohort.jgroups;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * A 16-byte key-derivation salt. Each member starts with a random one and adopts its coordinator's
 * (see {@link ClusterKeys}); every sealed frame names the salt its key was derived with. Not
 * secret.
 */
record Salt(long hi, long lo) {
  static final int BYTES = 16;

  static Salt random(SecureRandom rnd) {
    return new Salt(rnd.nextLong(), rnd.nextLong());
  }

  static Salt read(byte[] b, int off) {
    ByteBuffer buf = ByteBuffer.wrap(b, off, BYTES);
    return new Salt(buf.getLong(), buf.getLong());
  }

  void write(byte[] b, int off) {
    ByteBuffer.wrap(b, off, BYTES).putLong(hi).putLong(lo);
  }

  byte[] bytes() {
    byte[] b = new byte[BYTES];
    write(b, 0);
    return b;
  }

  @Override
  public String toString() {
    return String.format("%016x", hi).substring(0, 8); // enough to tell salts apart in a log
  }
}
