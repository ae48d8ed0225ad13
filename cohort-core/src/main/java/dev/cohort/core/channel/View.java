package dev.cohort.core.channel;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An installed membership view: the same list, in the same order, on every member that installed
 * it. The first member is the coordinator.
 *
 * @param id increases with every view a member installs (a merge may jump)
 * @param members the live members, coordinator first; never empty for a connected channel
 */
public record View(long id, List<Member> members) {
  public View {
    Objects.requireNonNull(members, "members");
    members = List.copyOf(members);
  }

  public boolean contains(Member m) {
    return members.contains(m);
  }

  public Optional<Member> byName(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  public Member coordinator() {
    return members.get(0);
  }

  public int size() {
    return members.size();
  }
}
