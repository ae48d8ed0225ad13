package dev.cohort.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The license checks of a module that builds an {@code -all} jar, as an integration test to extend
 * (one subclass per module, run by failsafe after {@code package}): the module's own jar carries
 * Cohort's LICENSE and NOTICE, and the {@code -all} jar also the license file of every library it
 * bundles, as NOTICE lists them ({@link JarLicenses}).
 *
 * <p>Reads three system properties, which the module's failsafe configuration sets: {@code
 * cohort.root} (the repository root), {@code cohort.moduleJar} and {@code cohort.allJar} (the two
 * jars' paths).
 */
public abstract class JarLicensesContract {

  private final String jarName;

  /**
   * @param jarName the name NOTICE's {@code in:} lines give the {@code -all} jar, e.g. {@code
   *     cohort-tomcat}
   */
  protected JarLicensesContract(String jarName) {
    this.jarName = jarName;
  }

  @Test
  @Timeout(60)
  void allJar_carriesTheLicenseOfEveryLibraryItBundles() throws Exception {
    JarLicenses.assertBundledLicenses(path("cohort.allJar"), jarName, path("cohort.root"));
  }

  @Test
  @Timeout(60)
  void moduleJar_carriesCohortsLicenseAndNotice() throws Exception {
    JarLicenses.assertCarriesCohortLicense(path("cohort.moduleJar"), path("cohort.root"));
  }

  private static Path path(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "system property "
              + property
              + " is not set — the module's maven-failsafe-plugin configuration must set it");
    }
    return Path.of(value);
  }
}
