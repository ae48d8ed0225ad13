package dev.cohort.tomcat;

import dev.cohort.tomcat.testapp.CounterServlet;
import dev.cohort.tomcat.testapp.EventCounter;
import dev.cohort.tomcat.testapp.TestRealm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.authenticator.FormAuthenticator;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;

/** One embedded Tomcat with a CohortCluster and the counter webapp, HTTP on 127.0.0.1:0. */
final class EmbeddedNode implements AutoCloseable {
  final String name;
  final Tomcat tomcat;
  final CohortCluster cluster;
  final EventCounter events = new EventCounter();
  final Context context;
  private final Path base;

  private EmbeddedNode(String name, Consumer<CohortCluster> configure) throws IOException {
    this(name, configure, true);
  }

  private EmbeddedNode(String name, Consumer<CohortCluster> configure, boolean replicated)
      throws IOException {
    this(name, configure, replicated, c -> {});
  }

  private EmbeddedNode(
      String name,
      Consumer<CohortCluster> configure,
      boolean replicated,
      Consumer<Connector> connectorSettings)
      throws IOException {
    this.name = name;
    this.base = Files.createTempDirectory("cohort-" + name);
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connectorSettings.accept(connector);
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    tomcat.getEngine().setJvmRoute(name);
    cluster = new CohortCluster();
    configure.accept(cluster);
    if (replicated) {
      tomcat.getEngine().setCluster(cluster);
    }
    context = tomcat.addContext("", base.toString());
    context.setDistributable(replicated);
    formLogin(context);
    context.addServletContainerInitializer((classes, ctx) -> ctx.addListener(events), null);
    Tomcat.addServlet(context, "counter", new CounterServlet(name, events));
    context.addServletMappingDecoded("/", "counter");
  }

  static EmbeddedNode start(String name, Consumer<CohortCluster> configure) {
    return start(name, configure, context -> {});
  }

  /**
   * As {@link #start(String, Consumer)}, with {@code context} applied to the webapp before start.
   */
  static EmbeddedNode start(
      String name, Consumer<CohortCluster> configure, Consumer<Context> context) {
    try {
      EmbeddedNode n = new EmbeddedNode(name, configure);
      context.accept(n.context);
      n.tomcat.start();
      return n;
    } catch (IOException | LifecycleException e) {
      throw new IllegalStateException("node " + name + " did not start: " + e, e);
    }
  }

  /** As {@link #start(String, Consumer)}, with settings of the HTTP connector. */
  static EmbeddedNode startWithConnector(
      String name, Consumer<CohortCluster> configure, Consumer<Connector> connectorSettings) {
    try {
      EmbeddedNode n = new EmbeddedNode(name, configure, true, connectorSettings);
      n.tomcat.start();
      return n;
    } catch (IOException | LifecycleException e) {
      throw new IllegalStateException("node " + name + " did not start: " + e, e);
    }
  }

  /** The same webapp on plain Tomcat (StandardManager, no cluster): the benchmark's baseline. */
  static EmbeddedNode startPlain(String name) {
    try {
      EmbeddedNode n = new EmbeddedNode(name, c -> {}, false);
      n.tomcat.start();
      return n;
    } catch (IOException | LifecycleException e) {
      throw new IllegalStateException("node " + name + " did not start: " + e, e);
    }
  }

  /** FORM login on /secure/* (alice/secret), login page /login. */
  private static void formLogin(Context context) {
    LoginConfig login = new LoginConfig();
    login.setAuthMethod("FORM");
    login.setLoginPage("/login");
    login.setErrorPage("/login");
    context.setLoginConfig(login);
    SecurityCollection secure = new SecurityCollection();
    secure.addPattern("/secure/*");
    SecurityConstraint constraint = new SecurityConstraint();
    constraint.addAuthRole("user");
    constraint.addCollection(secure);
    context.addConstraint(constraint);
    context.addSecurityRole("user");
    context.setRealm(new TestRealm());
    context.getPipeline().addValve(new FormAuthenticator());
  }

  int port() {
    return tomcat.getConnector().getLocalPort();
  }

  ReplicatedManager manager() {
    return (ReplicatedManager) context.getManager();
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException("node " + name + " did not stop: " + e, e);
    }
  }
}
