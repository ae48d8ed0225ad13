package dev.cohort.tomcat.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The last few membership changes this node observed, for the status page. It learns them by
 * comparing successive readings of the views (the engine interface has no listener for adapters),
 * so a change that came and went between two readings is not seen. Thread-safe.
 */
final class MembershipLog {
  static final int CAPACITY = 50;

  /** One observed change, in words that name members only. */
  record Entry(Instant at, long viewId, String text) {}

  private final Clock clock;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long lastViewId = Long.MIN_VALUE;
  private Set<String> lastMembers = Set.of();

  MembershipLog(Clock clock) {
    this.clock = clock;
  }

  /** Records a change if the figures show a view different from the last reading. */
  synchronized void observe(NodeFigures figures) {
    long viewId = figures.viewId();
    Set<String> members = new TreeSet<>(figures.members());
    if (viewId == lastViewId && members.equals(lastMembers)) {
      return;
    }
    String text;
    if (lastViewId == Long.MIN_VALUE) {
      text = "first view: " + String.join(", ", members) + " (" + count(members.size()) + ")";
    } else {
      Set<String> joined = new TreeSet<>(members);
      joined.removeAll(lastMembers);
      Set<String> left = new TreeSet<>(lastMembers);
      left.removeAll(members);
      StringBuilder b = new StringBuilder();
      if (!joined.isEmpty()) {
        b.append("joined ").append(String.join(", ", joined)).append("; ");
      }
      if (!left.isEmpty()) {
        b.append("left ").append(String.join(", ", left)).append("; ");
      }
      if (joined.isEmpty() && left.isEmpty()) {
        b.append("new view, same members; ");
      }
      b.append(count(members.size()));
      text = b.toString();
    }
    lastViewId = viewId;
    lastMembers = members;
    entries.addLast(new Entry(clock.instant(), viewId, text));
    while (entries.size() > CAPACITY) {
      entries.removeFirst();
    }
  }

  private static String count(int members) {
    return members + (members == 1 ? " member" : " members");
  }

  /** Newest first. */
  synchronized List<Entry> recent() {
    List<Entry> list = new ArrayList<>(entries);
    java.util.Collections.reverse(list);
    return list;
  }
}
