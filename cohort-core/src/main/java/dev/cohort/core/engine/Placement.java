package dev.cohort.core.engine;

import java.util.List;

/**
 * Where a session lives under the current view.
 *
 * @param owner the owner's route name
 * @param holders the replica holders' route names, best first
 */
public record Placement(String owner, List<String> holders) {
  public Placement {
    holders = List.copyOf(holders);
  }
}
