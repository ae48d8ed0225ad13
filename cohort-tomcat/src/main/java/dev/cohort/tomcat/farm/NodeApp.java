package dev.cohort.tomcat.farm;

/**
 * What one node runs of one farmed application.
 *
 * @param name the application
 * @param state see {@link State}
 * @param running the version serving requests on this node, or null
 * @param wanted the catalogue version this node was last asked to run, or null
 * @param error why {@code wanted} is not running (state FAILED), else null
 */
public record NodeApp(
    String name, State state, AppVersion running, AppVersion wanted, String error) {

  /** The state of an application on one node. */
  public enum State {
    /** the wanted version serves requests */
    RUNNING,
    /** the wanted version is being fetched or deployed */
    PENDING,
    /**
     * the wanted version could not be fetched or deployed; {@code running} (if any) still serves
     */
    FAILED,
    /** undeployed */
    REMOVED
  }

  static NodeApp running(String name, AppVersion v) {
    return new NodeApp(name, State.RUNNING, v, v, null);
  }

  NodeApp failed(AppVersion wantedVersion, String why) {
    return new NodeApp(name, State.FAILED, running, wantedVersion, why);
  }

  NodeApp pending(AppVersion wantedVersion) {
    return new NodeApp(name, State.PENDING, running, wantedVersion, null);
  }
}
