package dev.cohort.core.engine;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica holders of an owned session and the id of the view they were placed in. Immutable and
 * shared: every owned session with the same holders in the same view points at one instance ({@link
 * Interner}), so an owned session pays no list of its own and a replica copy's {@link Entry}
 * carries one reference instead of a list and a view id.
 */
final class Holders extends AbstractList<String> implements RandomAccess {

  /** No holders (a replica copy, or a session handed away); never "placed" in any view. */
  static final Holders NONE = new Holders(new String[0], Long.MIN_VALUE);

  private final String[] names;

  /** The id of the view these holders were computed in. */
  final long view;

  private Holders(String[] names, long view) {
    this.names = names;
    this.view = view;
  }

  @Override
  public String get(int index) {
    return names[index];
  }

  @Override
  public int size() {
    return names.length;
  }

  /**
   * Hands out shared instances for the current view. Only the latest view's sets are kept (a view
   * change starts a new table); the table is bounded, beyond that each call gets its own instance.
   */
  static final class Interner {
    private static final int MAX_SETS = 4096;

    private record Table(long view, ConcurrentHashMap<List<String>, Holders> sets) {}

    private volatile Table table = new Table(Long.MIN_VALUE, new ConcurrentHashMap<>());

    Holders of(List<String> names, long view) {
      Table t = table;
      if (t.view != view) {
        if (view < t.view) {
          return new Holders(names.toArray(new String[0]), view); // an older view: do not share
        }
        t = new Table(view, new ConcurrentHashMap<>());
        table = t;
      }
      Holders h = t.sets.get(names);
      if (h != null) {
        return h;
      }
      h = new Holders(names.toArray(new String[0]), view);
      if (t.sets.size() < MAX_SETS) {
        Holders raced = t.sets.putIfAbsent(List.copyOf(names), h);
        return raced != null ? raced : h;
      }
      return h;
    }
  }
}
