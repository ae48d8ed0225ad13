package dev.cohort.cli.chaos;

/**
 * What one simulated user expects of its own session counter: every successful answer is exactly
 * one more than the previous one. Not thread-safe: one user, one thread.
 *
 * <ul>
 *   <li>a count of 1 after a higher count: the session was <b>lost</b> (a fresh one was made);
 *   <li>a count that went back, or skipped ahead: a <b>stale</b> read;
 *   <li>after a failed request the next count may be one or two ahead (the failed request may have
 *       been applied before the answer was lost), and neither is stale;
 *   <li>after the user invalidated its session (and kept the old cookie, as a browser does), the
 *       next answer must come from a fresh session (count 1); a higher count means the invalidated
 *       session came <b>back</b>.
 * </ul>
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

  private long last;
  private boolean uncertain;
  private boolean invalidated;

  Outcome answered(long count) {
    long before = last;
    boolean allowSkip = uncertain;
    uncertain = false;
    last = count;
    if (invalidated) {
      invalidated = false;
      return count == 1 ? Outcome.OK : Outcome.RESURRECTED;
    }
    if (count == before + 1 || (allowSkip && count == before + 2)) {
      return Outcome.OK;
    }
    if (count == 1 && before >= 1) {
      return Outcome.LOST;
    }
    return count <= before ? Outcome.WENT_BACK : Outcome.SKIPPED;
  }

  Outcome failed() {
    uncertain = true;
    return Outcome.FAILED;
  }

  /** The session was invalidated (the server said so, or said there was none left). */
  void invalidated() {
    invalidated = true;
    uncertain = false;
    last = 0;
  }

  /** True until the first answer after an invalidation: the next session must be a fresh one. */
  boolean expectsFresh() {
    return invalidated;
  }

  long last() {
    return last;
  }
}
