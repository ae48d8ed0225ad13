package dev.cohort.core.channel;

import java.time.Duration;
import java.util.Set;

/** A {@link ClusterChannel#request} did not get every acknowledgement in time. */
public final class RequestTimeoutException extends ChannelException {
  private static final long serialVersionUID = 1L;
  private final transient Set<Member> missing;
  private final transient Set<Member> answered;

  public RequestTimeoutException(
      Set<Member> missing, Set<Member> answered, Duration timeout, View view) {
    super(
        "request timed out after "
            + timeout.toMillis()
            + " ms [no answer from "
            + missing
            + ", answered "
            + answered
            + ", view "
            + (view == null ? "?" : view.id() + " " + view.members())
            + "]: the members may be overloaded, paused or cut off"
            + " — check their health; failure detection will remove them if they are gone");
    this.missing = Set.copyOf(missing);
    this.answered = Set.copyOf(answered);
  }

  /** Targets that neither answered nor left the view before the timeout. */
  public Set<Member> missing() {
    return missing;
  }

  public Set<Member> answered() {
    return answered;
  }
}
