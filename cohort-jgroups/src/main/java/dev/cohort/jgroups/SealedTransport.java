package dev.cohort.jgroups;

import dev.cohort.jgroups.SealCounters.Drop;
import java.io.DataInput;
import java.io.IOException;
import java.io.InputStream;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.protocols.TCP_NIO2;
import org.jgroups.util.AsciiString;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;

/**
 * The transport of a channel with a secret. Everything a member sends is a {@link Seal}ed
 * BytesMessage, so a frame of any other message type comes from someone without the secret: it is
 * dropped, and counted as unauthenticated, before JGroups parses it. Parsing it would be unsafe —
 * an ObjectMessage names a class that the receiving JVM loads and instantiates. A BytesMessage
 * whose length field claims more bytes than its frame holds is dropped as malformed before anything
 * is allocated for it. Unreadable frames are counted instead of logged one error each. Everything
 * else is TCP_NIO2's.
 */
public class SealedTransport extends TCP_NIO2 {
  private static final int MAX_BATCH_CAPACITY = 1024;

  private final SealCounters counters;

  SealedTransport(SealCounters counters) {
    this.counters = counters;
  }

  private boolean refuse(short type) {
    if (type == Message.BYTES_MSG) {
      return false;
    }
    counters.drop(Drop.UNAUTHENTICATED, "a peer of the cluster port", "message type " + type);
    return true;
  }

  @Override
  protected void handleSingleMessage(DataInput in, boolean multicast) {
    try {
      short type = in.readShort();
      if (refuse(type)) {
        return;
      }
      Message msg = new BoundedBytesMessage();
      msg.readFrom(in);
      if (!multicast && unicastDestMismatch(msg.getDest())) {
        return;
      }
      msg_processing_policy.process(msg, msg.isFlagSet(Message.Flag.OOB));
      msg_stats.received(msg);
    } catch (Exception e) {
      counters.drop(Drop.MALFORMED, "a peer of the cluster port", "unreadable frame: " + e);
    }
  }

  /** {@code Util.readMessageBatch} with the same type check, and a bounded initial capacity. */
  @Override
  protected void handleMessageBatch(DataInput in, boolean multicast) {
    try {
      Address dest = Util.readAddress(in);
      Address src = Util.readAddress(in);
      short nameLength = in.readShort();
      AsciiString cluster = null;
      if (nameLength >= 0) {
        byte[] name = new byte[nameLength];
        in.readFully(name);
        cluster = new AsciiString(name);
      }
      int count = in.readInt();
      int capacity = Math.max(1, Math.min(count, MAX_BATCH_CAPACITY));
      MessageBatch regular = null;
      MessageBatch oob = null;
      for (int i = 0; i < count; i++) {
        short type = in.readShort();
        if (refuse(type)) {
          return;
        }
        Message msg = new BoundedBytesMessage().setDest(dest).setSrc(src);
        msg.readFrom(in);
        if (msg.isFlagSet(Message.Flag.OOB)) {
          oob =
              oob != null
                  ? oob
                  : batch(dest, src, cluster, multicast, MessageBatch.Mode.OOB, capacity);
          oob.add(msg);
        } else {
          regular =
              regular != null
                  ? regular
                  : batch(dest, src, cluster, multicast, MessageBatch.Mode.REG, capacity);
          regular.add(msg);
        }
      }
      if (oob != null) {
        msg_stats.received(oob);
      }
      if (regular != null) {
        msg_stats.received(regular);
      }
      processBatch(oob, true);
      processBatch(regular, false);
    } catch (Exception e) {
      counters.drop(Drop.MALFORMED, "a peer of the cluster port", "unreadable batch: " + e);
    }
  }

  private static MessageBatch batch(
      Address dest,
      Address src,
      AsciiString cluster,
      boolean multicast,
      MessageBatch.Mode mode,
      int capacity) {
    return new MessageBatch(dest, src, cluster, multicast, mode, capacity);
  }

  /** A BytesMessage that reads no length its frame cannot hold. */
  private static final class BoundedBytesMessage extends BytesMessage {
    @Override
    public void readPayload(DataInput in) throws IOException {
      int len = in.readInt();
      if (len >= 0) {
        // the transport hands over one whole frame: what is left of it is all there is
        int left = in instanceof InputStream frame ? frame.available() : Integer.MAX_VALUE;
        if (len > left) {
          throw new IOException("payload of " + len + " bytes in a frame with " + left + " left");
        }
        array = new byte[len];
        in.readFully(array, 0, len);
        offset = 0;
        length = len;
      }
    }
  }
}
