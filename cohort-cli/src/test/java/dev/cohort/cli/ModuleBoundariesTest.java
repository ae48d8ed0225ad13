package dev.cohort.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The import rules of DESIGN §2: each third-party engine is imported by exactly one module, and the
 * core depends on the JDK only. Checked over every production class of the reactor (this module
 * depends on all of them).
 */
class ModuleBoundariesTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cohort");
  }

  @Test
  void onlyTheJGroupsModuleImportsJGroups() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.cohort.jgroups..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.jgroups..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void onlyTheBalancerImportsNetty() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.cohort.balancer..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void onlyTheTomcatAdapterAndTheCliImportCatalinaOrServlet() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.cohort.tomcat..", "dev.cohort.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.catalina..", "jakarta.servlet..", "org.apache.tomcat..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void theCoreDependsOnTheJdkOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.cohort.core..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", "javax..", "jdk..", "dev.cohort.core..")
        .check(classes);
  }

  @Test
  void theBalancerKnowsNothingOfTheEngine() {
    noClasses()
        .that()
        .resideInAPackage("dev.cohort.balancer..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.cohort.core..", "dev.cohort.tomcat..", "dev.cohort.jgroups..")
        .allowEmptyShould(true)
        .check(classes);
  }
}
