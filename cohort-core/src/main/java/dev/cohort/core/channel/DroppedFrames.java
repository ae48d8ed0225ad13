package dev.cohort.core.channel;

/**
 * Frames a {@link ClusterChannel} dropped before any handler saw them, by reason. Every figure is a
 * counter that only grows; none identifies a member, a session or a payload.
 *
 * @param malformed frames that did not decode, were oversized, or named an address or flag that did
 *     not match the frame they came in
 * @param unauthenticated frames whose authentication tag did not verify (another secret, a foreign
 *     cluster, or tampering), and membership requests whose challenge-response proof failed
 * @param replayed authentic frames received before (a duplicate, or older than the receiver's
 *     window for that sender)
 * @param stale authentic frames whose send time is too far from the receiver's clock (a replay of
 *     an old frame, or member clocks that disagree)
 */
public record DroppedFrames(long malformed, long unauthenticated, long replayed, long stale) {
  /** Nothing dropped: the figures of a channel that does not count drops. */
  public static final DroppedFrames NONE = new DroppedFrames(0, 0, 0, 0);

  public long total() {
    return malformed + unauthenticated + replayed + stale;
  }

  /** The sum of two channels' figures. */
  public DroppedFrames plus(DroppedFrames o) {
    return new DroppedFrames(
        malformed + o.malformed,
        unauthenticated + o.unauthenticated,
        replayed + o.replayed,
        stale + o.stale);
  }
}
