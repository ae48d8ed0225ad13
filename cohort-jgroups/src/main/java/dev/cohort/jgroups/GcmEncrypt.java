package dev.cohort.jgroups;

import java.security.Key;
import java.util.concurrent.BlockingQueue;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.EncryptHeader;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.util.Util;

/**
 * {@link SYM_ENCRYPT} with AES/GCM: authenticated encryption, so a tampered or foreign frame fails
 * its tag check and is dropped. JGroups' base class initialises ciphers with an {@code
 * IvParameterSpec}, which GCM refuses; this subclass passes a {@link GCMParameterSpec} (128-bit
 * tag, fresh random 12-byte IV per message) instead.
 */
@SuppressWarnings("unchecked") // inherited from JGroups: SYM_ENCRYPT narrows a generic setter
public class GcmEncrypt extends SYM_ENCRYPT {
  static final short PROTOCOL_ID = 1961;

  static {
    ClassConfigurator.addProtocol(PROTOCOL_ID, GcmEncrypt.class);
  }

  public GcmEncrypt() {
    symAlgorithm("AES/GCM/NoPadding");
    symIvLength(12);
    symKeylength(256);
  }

  GcmEncrypt(SecretKey key) {
    this();
    setSecretKey(key);
  }

  @Override
  protected byte[] code(byte[] buf, int offset, int length, byte[] iv, boolean decode)
      throws Exception {
    return run(
        decode ? decoding_ciphers : encoding_ciphers, decode, secret_key, buf, offset, length, iv);
  }

  @Override
  protected Message _decrypt(Cipher cipher, Key key, Message msg, EncryptHeader hdr)
      throws Exception {
    if (!msg.hasPayload()) {
      return msg;
    }
    byte[] plain;
    if (cipher == null) {
      plain =
          run(
              decoding_ciphers,
              true,
              key,
              msg.getArray(),
              msg.getOffset(),
              msg.getLength(),
              hdr.iv());
    } else {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, hdr.iv()));
      plain = cipher.doFinal(msg.getArray(), msg.getOffset(), msg.getLength());
    }
    if (hdr.needsDeserialization()) {
      return Util.messageFromBuffer(plain, 0, plain.length);
    }
    return msg.setArray(plain, 0, plain.length);
  }

  private static byte[] run(
      BlockingQueue<Cipher> pool,
      boolean decode,
      Key key,
      byte[] buf,
      int offset,
      int length,
      byte[] iv)
      throws Exception {
    Cipher c = pool.take();
    try {
      c.init(
          decode ? Cipher.DECRYPT_MODE : Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      return c.doFinal(buf, offset, length);
    } finally {
      pool.offer(c);
    }
  }
}
