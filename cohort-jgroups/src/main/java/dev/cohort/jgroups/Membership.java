package dev.cohort.jgroups;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.View;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgroups.Address;
import org.jgroups.MergeView;
import org.jgroups.util.NameCache;
import org.jgroups.util.UUID;

/**
 * Translates JGroups views and addresses into Cohort's {@link View}s, {@link Member}s and {@link
 * MembershipEvent}s. A member's id is its JGroups UUID, its name the JGroups logical name.
 *
 * <p>Thread-safe: the current view and both address maps are one immutable snapshot, replaced as a
 * whole on every view.
 */
final class Membership {
  static final View NO_VIEW = new View(-1, List.of());

  private record Snapshot(
      View view, Map<Address, Member> byAddress, Map<Member, Address> byMember) {}

  private volatile Snapshot current = new Snapshot(NO_VIEW, Map.of(), Map.of());

  View view() {
    return current.view();
  }

  /** The address of a member of the current view, or null. */
  Address addressOf(Member m) {
    return current.byMember().get(m);
  }

  Member toMember(Address a) {
    Member known = current.byAddress().get(a);
    if (known != null) {
      return known;
    }
    String id = a instanceof UUID u ? u.toStringLong() : a.toString();
    String name = NameCache.get(a);
    return new Member(id, name == null || name.isEmpty() ? id : name);
  }

  /**
   * Installs {@code v} and returns the events it implies, in order: {@code ViewInstalled}, {@code
   * Left} for each departed member, then {@code Joined} for each new one, or one {@code Merged} for
   * a merge view.
   */
  List<MembershipEvent> install(org.jgroups.View v) {
    View previous = current.view();
    View next = toView(v);
    Map<Address, Member> ba = new HashMap<>();
    Map<Member, Address> bm = new HashMap<>();
    List<Address> addresses = v.getMembers();
    for (int i = 0; i < addresses.size(); i++) {
      ba.put(addresses.get(i), next.members().get(i));
      bm.put(next.members().get(i), addresses.get(i));
    }
    current = new Snapshot(next, Map.copyOf(ba), Map.copyOf(bm));

    Set<Member> joined = new LinkedHashSet<>(next.members());
    joined.removeAll(previous.members());
    Set<Member> left = new LinkedHashSet<>(previous.members());
    left.removeAll(next.members());
    List<MembershipEvent> out = new ArrayList<>();
    out.add(new MembershipEvent.ViewInstalled(previous, next, joined, left));
    for (Member m : left) {
      out.add(new MembershipEvent.Left(m, next));
    }
    if (v instanceof MergeView mv) {
      List<View> subgroups = new ArrayList<>();
      for (org.jgroups.View sub : mv.getSubgroups()) {
        subgroups.add(toView(sub));
      }
      out.add(new MembershipEvent.Merged(next, subgroups));
    } else {
      for (Member m : joined) {
        out.add(new MembershipEvent.Joined(m, next));
      }
    }
    return out;
  }

  List<MembershipEvent> suspected(Collection<Address> suspects) {
    List<MembershipEvent> out = new ArrayList<>();
    for (Address a : suspects) {
      out.add(new MembershipEvent.Suspected(toMember(a)));
    }
    return out;
  }

  private View toView(org.jgroups.View v) {
    List<Member> ms = new ArrayList<>();
    for (Address a : v.getMembers()) {
      ms.add(toMember(a));
    }
    return new View(v.getViewId().getId(), ms);
  }
}
