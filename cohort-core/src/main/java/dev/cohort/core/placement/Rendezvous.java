package dev.cohort.core.placement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Rendezvous (highest random weight) hashing of a session id over member route names. Every member
 * computes the same ranking from the id and the view, so nobody broadcasts where a session lives,
 * and a view change moves only the sessions whose top members changed.
 *
 * <p>Pure functions; thread-safe.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /** The members ranked for {@code id}, best first. Ties (equal hashes) break by name. */
  public static List<String> rank(String id, Collection<String> members) {
    long idHash = hash64(id);
    List<Scored> scored = new ArrayList<>(members.size());
    for (String m : members) {
      scored.add(new Scored(m, mix(idHash ^ hash64(m))));
    }
    scored.sort(
        (a, b) -> {
          int c = Long.compareUnsigned(b.score, a.score);
          return c != 0 ? c : a.name.compareTo(b.name);
        });
    List<String> out = new ArrayList<>(scored.size());
    for (Scored s : scored) {
      out.add(s.name);
    }
    return out;
  }

  /**
   * The replica holders of a session owned by {@code owner}: the top {@code k} members other than
   * the owner ({@code k >= members}: every other member).
   */
  public static List<String> holders(String id, String owner, Collection<String> members, int k) {
    List<String> ranked = rank(id, members);
    ranked.remove(owner);
    return ranked.size() <= k ? ranked : new ArrayList<>(ranked.subList(0, k));
  }

  private record Scored(String name, long score) {}

  /** 64-bit FNV-1a over UTF-8, then mixed; stable across JVMs and versions. */
  static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** The SplitMix64 finalizer: spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
