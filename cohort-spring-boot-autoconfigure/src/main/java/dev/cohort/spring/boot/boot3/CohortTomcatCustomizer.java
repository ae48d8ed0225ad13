package dev.cohort.spring.boot.boot3;

import dev.cohort.spring.boot.CohortInstaller;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/** Spring Boot 3's Tomcat factory, customized by {@link CohortInstaller}. */
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
      factory.addAdditionalTomcatConnectors(admin);
    }
  }
}
