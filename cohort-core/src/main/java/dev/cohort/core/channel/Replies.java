package dev.cohort.core.channel;

import java.util.Map;
import java.util.Set;

/**
 * The outcome of a completed {@link ClusterChannel#request}.
 *
 * @param replies the acknowledgement bytes of every target that answered
 * @param departed targets that left the view before answering (not an error: a dead member cannot
 *     hold a replica, and the caller's placement will move it)
 */
public record Replies(Map<Member, byte[]> replies, Set<Member> departed) {
  public Replies {
    replies = Map.copyOf(replies);
    departed = Set.copyOf(departed);
  }
}
