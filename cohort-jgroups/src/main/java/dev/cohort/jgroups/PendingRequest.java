package dev.cohort.jgroups;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.RemoteFailureException;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestTimeoutException;
import dev.cohort.core.channel.View;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One outstanding request: who answered, who left the view, and the future to complete. Every
 * method may be called from any thread (reply, view change, timer); the monitor orders them and the
 * first outcome wins.
 */
final class PendingRequest {
  final Set<Member> targets;
  final CompletableFuture<Replies> future = new CompletableFuture<>();
  private final Duration timeout;
  private final Map<Member, byte[]> replies = new HashMap<>();
  private final Set<Member> departed = new HashSet<>();

  PendingRequest(Set<Member> targets, Duration timeout) {
    this.targets = Set.copyOf(targets);
    this.timeout = timeout;
  }

  synchronized void answered(Member from, byte[] reply) {
    if (!targets.contains(from) || replies.containsKey(from) || departed.contains(from)) {
      return;
    }
    replies.put(from, reply);
    completeIfDone();
  }

  synchronized void failed(Member from, String error) {
    if (targets.contains(from)) {
      future.completeExceptionally(new RemoteFailureException(from, error));
    }
  }

  synchronized void departed(Member m) {
    if (!targets.contains(m) || replies.containsKey(m) || !departed.add(m)) {
      return;
    }
    completeIfDone();
  }

  synchronized void timeOut(View view) {
    Set<Member> missing = new LinkedHashSet<>(targets);
    missing.removeAll(replies.keySet());
    missing.removeAll(departed);
    future.completeExceptionally(
        new RequestTimeoutException(missing, replies.keySet(), timeout, view));
  }

  private void completeIfDone() {
    if (replies.size() + departed.size() == targets.size()) {
      future.complete(new Replies(replies, departed));
    }
  }
}
