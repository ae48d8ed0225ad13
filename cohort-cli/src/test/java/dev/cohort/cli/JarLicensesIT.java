package dev.cohort.cli;

import dev.cohort.testkit.JarLicensesContract;

/** This module's jars carry Cohort's LICENSE and NOTICE and the licenses of what they bundle. */
class JarLicensesIT extends JarLicensesContract {
  JarLicensesIT() {
    super("cohort-cli");
  }
}
