package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.tomcat.admin.AdminValve;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.catalina.LifecycleState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store URL with a password in it: the password must not reach a log line, an exception, a page
 * or a JMX attribute, whether the store opens or not.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreCredentialsIT {
  private static final String PASSWORD = "pw-s3cret-4711";

  private final StringBuilder logged = new StringBuilder();
  private final Handler capture =
      new Handler() {
        @Override
        public synchronized void publish(LogRecord r) {
          logged.append(r.getLevel()).append(' ').append(r.getMessage()).append('\n');
          if (r.getParameters() != null) {
            for (Object p : r.getParameters()) {
              logged.append("  param ").append(p).append('\n');
            }
          }
          if (r.getThrown() != null) {
            logged.append(trace(r.getThrown()));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLogs() {
    Logger.getLogger("").addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    Logger.getLogger("").removeHandler(capture);
  }

  @Test
  void aRunningNode_showsTheStorePasswordNowhere() throws Exception {
    try (PrivatePostgres pg = PrivatePostgres.start(false)) {
      // trust authentication: the server ignores the password, the URL still carries it
      String spec = pg.spec() + "&password=" + PASSWORD;
      try (PersistentNode node = PersistentNode.start("p1", m -> m.setStore(spec))) {
        AdminValve admin = new AdminValve(() -> List.of(node.manager.engine()), "p1");
        admin.setAdminPort(node.port()); // the test's connector serves as the admin connector
        node.tomcat.getEngine().getPipeline().addValve(admin);
        String id = Http.get(node.port(), "/counter", null).setCookieId();
        assertThat(Http.get(node.port(), "/counter", id).count()).isEqualTo(2);

        StringBuilder shown = new StringBuilder();
        for (String page : List.of("/cohort/status", "/cohort/", "/cohort/metrics")) {
          shown.append(body(node.port(), page));
        }
        shown.append(mbeanAttributes());

        assertThat(logged).as("logs").contains("keeps its sessions in").doesNotContain(PASSWORD);
        // a store-only manager has no cluster: neither "replicates" nor <distributable/> applies
        assertThat(logged.toString())
            .as("logs")
            .doesNotContain("replicates sessions")
            .doesNotContain("distributable");
        assertThat(shown).as("pages and JMX").contains("cohort_").doesNotContain(PASSWORD);
      }
    }
  }

  @Test
  void aStoreThatCannotOpen_failsTheContextWithoutThePassword() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    for (String spec :
        List.of(
            // no MySQL driver here: the pool answers that it has none for this URL, quoting it
            "jdbc:mysql://app:" + PASSWORD + "@127.0.0.1:" + closed + "/app",
            "jdbc:postgresql://127.0.0.1:"
                + closed
                + "/app?user=app&password="
                + PASSWORD
                + "&cohort.connectTimeoutMs=500")) {
      logged.setLength(0);
      try (PersistentNode node = PersistentNode.start("p1", m -> m.setStore(spec))) {
        assertThat(node.context.getState()).as(spec).isNotEqualTo(LifecycleState.STARTED);
      }
      assertThat(logged.toString())
          .as(spec)
          .contains("cohort: cannot")
          .contains("store: ")
          .doesNotContain(PASSWORD);
    }
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static String body(int port, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  /** Every readable attribute of every registered MBean, as text. */
  private static String mbeanAttributes() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    StringBuilder b = new StringBuilder();
    for (ObjectName name : server.queryNames(null, null)) {
      for (MBeanAttributeInfo a : server.getMBeanInfo(name).getAttributes()) {
        if (!a.isReadable()) {
          continue;
        }
        try {
          b.append(name).append(' ').append(a.getName()).append('=');
          b.append(server.getAttribute(name, a.getName())).append('\n');
        } catch (Exception | Error e) {
          b.append("(unreadable)\n");
        }
      }
    }
    return b.toString();
  }
}
