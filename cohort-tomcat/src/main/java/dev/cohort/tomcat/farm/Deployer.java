package dev.cohort.tomcat.farm;

import java.nio.file.Path;

/**
 * Runs WARs in the local container. {@link HostDeployer} is Tomcat's Host; tests of the farm
 * protocol may pass their own. Called by one thread at a time.
 */
interface Deployer {

  /**
   * Runs {@code war} as application {@code name}, replacing the version that runs now. When the new
   * version does not start, the previous one is started again before this throws.
   *
   * @param slot the application's slot (its session channel port, see {@link AppChannels})
   * @throws DeployException naming why the new version did not start
   */
  void deploy(String name, int slot, Path war) throws DeployException;

  /** Stops and removes application {@code name}; nothing when it does not run. */
  void undeploy(String name);

  /** A version did not start on this node; the message says why. */
  final class DeployException extends Exception {
    private static final long serialVersionUID = 1L;

    DeployException(String message) {
      super(message);
    }
  }
}
