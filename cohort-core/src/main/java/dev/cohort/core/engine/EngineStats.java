package dev.cohort.core.engine;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.DroppedFrames;

/**
 * Counters and gauges of one engine, read-only and cheap to read from any thread. Counters only
 * grow. Adapters publish these (status page, Prometheus, JMX); no figure identifies a session.
 */
public interface EngineStats {
  // gauges
  int ownedSessions();

  int replicaSessions();

  /** Owned sessions with fewer than k live replica holders. */
  int unprotectedSessions();

  /** Bytes of attribute values held (owned and replica). */
  long heldBytes();

  // counters
  long deltasSent();

  long deltasApplied();

  long bytesSent();

  long bytesReceived();

  /** Deltas whose base version did not match (a full record was fetched instead). */
  long gaps();

  /** Deltas or records ignored because they were older than what the holder had. */
  long conflicts();

  long takeovers();

  long expired();

  long syncTimeouts();

  /** Frames dropped because they were malformed, oversized or of an unknown version. */
  long malformedFrames();

  /**
   * Frames the engine's channel dropped before the engine saw them (see {@link
   * ClusterChannel#droppedFrames()}); not included in {@link #malformedFrames()}.
   */
  default DroppedFrames channelDrops() {
    return DroppedFrames.NONE;
  }

  /**
   * Attribute values the adapter refused to deserialize: a class not on the allow-list, or a value
   * too costly to read (see {@code AttributeCodec}).
   */
  long deserializationRefusals();

  /** Acknowledged-replication round trips observed, and their total in nanoseconds. */
  long ackCount();

  long ackNanosTotal();

  /** Highest ack latency seen since start, nanoseconds. */
  long ackNanosMax();

  /** State transfer: sessions received so far, and expected (0 when unknown). */
  long transferReceived();

  long transferExpected();

  /** Claim messages sent by take-overs, one per member asked. */
  default long claimsSent() {
    return 0;
  }

  /**
   * Look-ups of sessions unknown to this member refused at once because {@code maxLookups} were
   * already running (the request was answered 503).
   */
  default long lookupsRefused() {
    return 0;
  }

  /** Take-overs that found no copy on any member and asked the durable store. */
  default long storeLookups() {
    return 0;
  }
}
