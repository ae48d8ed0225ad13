package dev.cohort.core.channel;

/** A target's {@link RequestHandler} threw while handling a request. */
public final class RemoteFailureException extends ChannelException {
  private static final long serialVersionUID = 1L;
  private final transient Member member;

  public RemoteFailureException(Member member, String remoteMessage) {
    super("request failed on " + member + ": " + remoteMessage);
    this.member = member;
  }

  public Member member() {
    return member;
  }
}
