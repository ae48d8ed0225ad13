package dev.cohort.balancer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The balancer knows nothing of the engine, and its public surface stays five types. */
class BalancerBoundariesTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.cohort.balancer");

  @Test
  void balancerDependsOnNothingOfTheEngine() {
    noClasses()
        .that()
        .resideInAPackage("dev.cohort.balancer..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.cohort.core..",
            "dev.cohort.tomcat..",
            "dev.cohort.jgroups..",
            "dev.cohort.store..")
        .check(CLASSES);
  }

  @Test
  void onlyTheFiveApiTypesArePublic() {
    Set<String> publicTypes =
        CLASSES.stream()
            .filter(c -> c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC))
            .map(JavaClass::getSimpleName)
            .filter(n -> !n.equals("package-info"))
            .collect(Collectors.toSet());
    assertThat(publicTypes)
        .containsExactlyInAnyOrder(
            "Balancer", "BalancerConfig", "Backend", "Policy", "HealthCheck");
  }
}
