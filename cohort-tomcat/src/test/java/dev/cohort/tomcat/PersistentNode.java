package dev.cohort.tomcat;

import dev.cohort.tomcat.testapp.CounterServlet;
import dev.cohort.tomcat.testapp.EventCounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * One embedded Tomcat, no cluster, with the counter webapp under a {@link PersistentManager}; HTTP
 * on 127.0.0.1:0. The manager is configured by the caller (its store, swap-out, ...).
 */
final class PersistentNode implements AutoCloseable {
  final String name;
  final Tomcat tomcat;
  final Context context;
  final PersistentManager manager = new PersistentManager();
  final EventCounter events = new EventCounter();

  private PersistentNode(String name, Consumer<PersistentManager> configure) throws IOException {
    this.name = name;
    Path base = Files.createTempDirectory("cohort-pm-" + name);
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    configure.accept(manager);
    context = tomcat.addContext("", base.toString());
    context.setManager(manager);
    context.addServletContainerInitializer((classes, ctx) -> ctx.addListener(events), null);
    Tomcat.addServlet(context, "counter", new CounterServlet(name, events));
    context.addServletMappingDecoded("/", "counter");
  }

  static PersistentNode start(String name, Consumer<PersistentManager> configure) {
    try {
      PersistentNode n = new PersistentNode(name, configure);
      n.tomcat.start();
      return n;
    } catch (IOException | LifecycleException e) {
      throw new IllegalStateException("node " + name + " did not start: " + e, e);
    }
  }

  int port() {
    return tomcat.getConnector().getLocalPort();
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
