package dev.cohort.spring.boot.boot4;

import dev.cohort.spring.boot.CohortInstaller;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/** Spring Boot 4's Tomcat factory, customized by {@link CohortInstaller}. */
public final class CohortTomcatCustomizer
    implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {
  private final CohortInstaller installer;

  public CohortTomcatCustomizer(CohortInstaller installer) {
    this.installer = installer;
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addContextCustomizers(installer::install);
    Connector admin = installer.adminConnector();
    if (admin != null) {
      factory.addAdditionalConnectors(admin);
    }
  }
}
