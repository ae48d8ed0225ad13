package dev.cohort.jgroups;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.Version;
import org.jgroups.blocks.cs.Connection;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.stack.IpAddress;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;

/**
 * Test protocol for the bottom of a stack (just above the transport): keeps a copy of every frame
 * as the transport receives it ({@link #in}, source and destination set) and as it is handed to the
 * transport ({@link #out}). {@link #replay} writes frames to a member's cluster port over a raw TCP
 * connection, as an outsider who captured them would.
 */
public class FrameTap extends Protocol {
  static {
    ClassConfigurator.addProtocol((short) 1971, FrameTap.class);
  }

  final List<Message> in = new CopyOnWriteArrayList<>();
  final List<Message> out = new CopyOnWriteArrayList<>();

  @Override
  public Object down(Message msg) {
    out.add(msg.copy(true, true));
    return down_prot.down(msg);
  }

  @Override
  public Object up(Message msg) {
    in.add(msg.copy(true, true));
    return up_prot.up(msg);
  }

  @Override
  public void up(MessageBatch batch) {
    for (Message m : batch) {
      in.add(m.copy(true, true).setSrc(batch.sender()).setDest(batch.dest()));
    }
    up_prot.up(batch);
  }

  /** Frames received from {@code src}. */
  List<Message> inFrom(Address src) {
    return in.stream().filter(m -> src.equals(m.src())).toList();
  }

  /** Whether {@code needle} occurs in {@code hay}. */
  static boolean contains(byte[] hay, byte[] needle) {
    return indexOf(hay, needle) >= 0;
  }

  /** Where {@code needle} first occurs in {@code hay}, or -1. */
  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** What a JGroups TCP connection sends first: cookie, version, the sender's own address. */
  static void introduce(DataOutputStream o, IpAddress self) throws IOException {
    o.write(Connection.cookie);
    o.writeShort(Version.version);
    o.writeShort(self.serializedSize());
    self.writeTo(o);
    o.flush();
  }

  /** A frame as the transport writes it (version, flags, message), without the length prefix. */
  static byte[] wireBytes(Message m) throws IOException {
    ByteArrayDataOutputStream b = new ByteArrayDataOutputStream(m.size() + 16);
    Util.writeMessage(m, b, m.dest() == null);
    byte[] bytes = new byte[b.position()];
    System.arraycopy(b.buffer(), 0, bytes, 0, bytes.length);
    return bytes;
  }

  /**
   * Connects to {@code port} on loopback, introduces itself as {@code 127.0.0.1:claimedPort} (a
   * JGroups connection starts with a cookie, the version and the sender's address) and writes each
   * frame with its length.
   */
  static void replay(int port, int claimedPort, List<byte[]> frames) throws IOException {
    try (Socket s = new Socket(TestClusters.LOOPBACK, port)) {
      DataOutputStream o = new DataOutputStream(s.getOutputStream());
      introduce(o, new IpAddress(TestClusters.LOOPBACK, claimedPort));
      for (byte[] f : frames) {
        o.writeInt(f.length);
        o.write(f);
      }
      o.flush();
    }
  }
}
