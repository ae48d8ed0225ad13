package dev.cohort.spring.boot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The starter is glue between Spring Boot and the Tomcat adapter: it may touch Catalina (Spring
 * hands it the embedded Tomcat's context) but never the transport or the balancer's libraries, and
 * never the engine's wire format, placement or store internals (design note 001). cohort-cli's
 * ModuleBoundariesTest does not see this module, so it checks itself.
 */
class StarterBoundariesTest {
  private static final JavaClasses STARTER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.cohort.spring");

  @Test
  void starterImportsNeitherJGroupsNorNetty() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.jgroups..", "io.netty..")
        .check(STARTER);
  }

  @Test
  void starterUsesTheAdapterNotTheEngineInternals() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.cohort.core.wire..", "dev.cohort.core.placement..", "dev.cohort.store..")
        .check(STARTER);
  }
}
