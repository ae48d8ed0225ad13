package dev.cohort.core.channel;

import java.util.Objects;

/**
 * One member of the cluster.
 *
 * @param id a unique id of this incarnation (a restarted process gets a new one)
 * @param name the route name (Tomcat's jvmRoute); stable across restarts and unique in a cluster.
 *     Placement hashes on the name, so a restarted member takes back the same replicas.
 */
public record Member(String id, String name) implements Comparable<Member> {
  public Member {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("member name must not be empty");
    }
  }

  @Override
  public int compareTo(Member o) {
    int c = name.compareTo(o.name);
    return c != 0 ? c : id.compareTo(o.id);
  }

  @Override
  public String toString() {
    return name;
  }
}
