package dev.cohort.core.channel;

/**
 * Receives membership events. Called on a channel thread, one event at a time, in order; must not
 * block for long (hand long work to an executor).
 */
@FunctionalInterface
public interface MembershipListener {
  void onEvent(MembershipEvent event);
}
