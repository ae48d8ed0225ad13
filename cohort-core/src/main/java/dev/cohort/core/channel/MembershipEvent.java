package dev.cohort.core.channel;

import java.util.List;
import java.util.Set;

/** What a {@link MembershipListener} is told. Events arrive in the order they happened. */
public sealed interface MembershipEvent {

  /** Every new view; sent before the finer-grained events it implies. */
  record ViewInstalled(View previous, View current, Set<Member> joined, Set<Member> left)
      implements MembershipEvent {
    public ViewInstalled {
      joined = Set.copyOf(joined);
      left = Set.copyOf(left);
    }
  }

  /** A member joined the view. */
  record Joined(Member member, View view) implements MembershipEvent {}

  /** A member left the view: graceful leave, crash, or expulsion after suspicion. */
  record Left(Member member, View view) implements MembershipEvent {}

  /** Failure detection suspects a member; it may still be cleared or expelled later. */
  record Suspected(Member member) implements MembershipEvent {}

  /** Two or more partitions healed into one view. */
  record Merged(View view, List<View> subgroups) implements MembershipEvent {
    public Merged {
      subgroups = List.copyOf(subgroups);
    }
  }
}
