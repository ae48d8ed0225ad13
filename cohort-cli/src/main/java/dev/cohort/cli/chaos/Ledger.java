package dev.cohort.cli.chaos;

/**
 * What one simulated user expects of its own session counter: every successful answer is exactly
 * one more than the previous one. Not thread-safe: one user, one thread.
 *
 * <ul>
 *   <li>a count of 1 after a higher count: the session was <b>lost</b> (a fresh one was made);
 *   <li>a count that went back, or skipped ahead: a <b>stale</b> read;
 *   <li>after the user invalidated its session (and kept the old cookie, as a browser does), the
 *       next answer must come from a fresh session (count 1); a higher count means the invalidated
 *       session came <b>back</b>.
 * </ul>
 *
 * <p>What a failed request may have done depends on the requests. With idempotency keys (the
 * default: a retry carries the key of the attempt it repeats, and the server applies a key once)
 * the next count may be one or two ahead after a failure. Without them ({@link #exact}) every count
 * is accounted for: an error <em>answered</em> by a node changed nothing, so the next count is
 * exactly one more; a request whose answer never came (a lost connection, a timeout, a gateway
 * error from the balancer) may or may not have applied — one more allowed for each; and a request
 * in flight while a node went down may have been applied twice (the node applied it and died before
 * answering, the balancer replayed it elsewhere) — one more allowed for it.
 */
final class Ledger {
  enum Outcome {
    OK,
    LOST,
    WENT_BACK,
    SKIPPED,
    RESURRECTED,
    FAILED
  }

  private final boolean exact;
  private long last;
  private long beyondOne;
  private boolean uncertain;
  private int unknown;
  private boolean invalidated;

  /** A ledger for requests with idempotency keys. */
  Ledger() {
    this(false);
  }

  /**
   * @param exact the requests carry no idempotency key: every count must be accounted for
   */
  Ledger(boolean exact) {
    this.exact = exact;
  }

  Outcome answered(long count) {
    return answered(count, false);
  }

  /**
   * @param replayable the request was in flight while a node went down: the balancer may have
   *     replayed it after the node applied it (only counts without idempotency keys)
   */
  Outcome answered(long count, boolean replayable) {
    long before = last;
    beyondOne = 0;
    long ahead = exact ? 1 + unknown + (replayable ? 1 : 0) : uncertain ? 2 : 1;
    uncertain = false;
    unknown = 0;
    last = count;
    if (invalidated) {
      invalidated = false;
      return count == 1 ? Outcome.OK : Outcome.RESURRECTED;
    }
    if (count > before && count <= before + ahead) {
      beyondOne = count - before - 1;
      return Outcome.OK;
    }
    if (count == 1 && before >= 1) {
      return Outcome.LOST;
    }
    return count <= before ? Outcome.WENT_BACK : Outcome.SKIPPED;
  }

  /** A failed request that may have been applied (no answer: idempotency keys on, or unknown). */
  Outcome failed() {
    return failed(true);
  }

  /**
   * A failed request.
   *
   * @param mayHaveApplied false when a node answered the error (it applied nothing), true when no
   *     answer came (a lost connection, a timeout, a gateway error)
   */
  Outcome failed(boolean mayHaveApplied) {
    uncertain = true;
    if (mayHaveApplied) {
      unknown++;
    }
    return Outcome.FAILED;
  }

  /** The session was invalidated (the server said so, or said there was none left). */
  void invalidated() {
    invalidated = true;
    uncertain = false;
    unknown = 0;
    last = 0;
  }

  /** True until the first answer after an invalidation: the next session must be a fresh one. */
  boolean expectsFresh() {
    return invalidated;
  }

  long last() {
    return last;
  }

  /**
   * How far beyond one more the last good answer was: the failed requests before it (or its own
   * replay) that had been applied.
   */
  long beyondOne() {
    return beyondOne;
  }
}
