package dev.cohort.spring.boot.boot3;

import dev.cohort.spring.boot.CohortHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.health.AdditionalHealthEndpointPath;
import org.springframework.boot.actuate.health.HealthEndpointGroup;
import org.springframework.boot.actuate.health.HealthEndpointGroups;
import org.springframework.boot.actuate.health.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.actuate.health.StatusAggregator;
import org.springframework.core.env.Environment;

/**
 * Spring Boot 3: makes the {@code cohort} health indicator a member of Actuator's {@code readiness}
 * group (the one Kubernetes' readiness probe reads at {@code /actuator/health/readiness}), so that
 * an instance that has not joined its cluster or received its sessions yet gets no traffic. Nothing
 * changes when there is no readiness group (probes off), or when the application's own {@code
 * management.endpoint.health.group.readiness.exclude} names {@code cohort}.
 */
final class CohortReadiness implements HealthEndpointGroupsPostProcessor {
  static final String GROUP = CohortHealth.READINESS_GROUP;
  static final String MEMBER = CohortHealth.NAME;
  private final Environment environment;

  CohortReadiness(Environment environment) {
    this.environment = environment;
  }

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    HealthEndpointGroup readiness = groups.get(GROUP);
    if (readiness == null
        || readiness.isMember(MEMBER)
        || CohortHealth.excludedFromReadiness(environment)) {
      return groups;
    }
    Map<String, HealthEndpointGroup> all = new LinkedHashMap<>();
    for (String name : groups.getNames()) {
      all.put(name, groups.get(name));
    }
    all.put(GROUP, new WithCohort(readiness));
    return HealthEndpointGroups.of(groups.getPrimary(), all);
  }

  /** The readiness group, with the cohort indicator as one more member. */
  private record WithCohort(HealthEndpointGroup group) implements HealthEndpointGroup {
    @Override
    public boolean isMember(String name) {
      return MEMBER.equals(name) || group.isMember(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return group.showComponents(securityContext);
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return group.showDetails(securityContext);
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
