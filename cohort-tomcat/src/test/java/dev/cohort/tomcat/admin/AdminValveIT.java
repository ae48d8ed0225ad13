package dev.cohort.tomcat.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.SessionEngine;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The valve in a real embedded Tomcat, on 127.0.0.1 with ephemeral ports. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminValveIT {
  @TempDir Path base;
  private final FakeEngine engine = new FakeEngine(2, "it-node", "other");
  private final List<SessionEngine> engines = new CopyOnWriteArrayList<>(List.of(engine));
  private final HttpClient http = HttpClient.newHttpClient();
  private Tomcat tomcat;
  private AdminValve valve;
  private String nodeName;

  @BeforeEach
  void start() throws Exception {
    nodeName = "it-node-" + Long.toHexString(System.nanoTime());
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector main = new Connector();
    main.setPort(0);
    main.setProperty("address", "127.0.0.1");
    tomcat.setConnector(main);
    Context ctx = tomcat.addContext("", Files.createDirectories(base.resolve("root")).toString());
    Tomcat.addServlet(
        ctx,
        "hello",
        new jakarta.servlet.http.HttpServlet() {
          @Override
          protected void doGet(
              jakarta.servlet.http.HttpServletRequest req,
              jakarta.servlet.http.HttpServletResponse resp)
              throws java.io.IOException {
            resp.getWriter().write("app");
          }
        });
    ctx.addServletMappingDecoded("/*", "hello");
    valve = new AdminValve(() -> engines, nodeName);
    tomcat.getEngine().getPipeline().addValve(valve);
    tomcat.start();
  }

  @AfterEach
  void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }

  private int port(Connector c) {
    return c.getLocalPort();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersAdminPaths_andPassesOtherRequestsToTheWebapp() throws Exception {
    int p = port(tomcat.getConnector());

    assertThat(get(p, "/cohort/health").statusCode()).isEqualTo(200);
    assertThat(get(p, "/cohort/status").body()).contains("\"node\":\"" + nodeName + "\"");
    assertThat(get(p, "/cohort/metrics").body()).contains("cohort_sessions_owned");
    assertThat(get(p, "/cohort/").body()).contains("<html");
    assertThat(get(p, "/anything").body()).isEqualTo("app");
  }

  @Test
  void healthTurns503_whileAnEngineIsNotReady() throws Exception {
    engine.ready = false;
    assertThat(get(port(tomcat.getConnector()), "/cohort/health").statusCode()).isEqualTo(503);
  }

  @Test
  void adminPortConfinesStatusButNotHealth() throws Exception {
    Connector admin = new Connector();
    admin.setPort(0);
    admin.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(admin);
    int adminPort = port(admin);
    valve.setAdminPort(adminPort);
    int main = port(tomcat.getConnector());

    assertThat(get(main, "/cohort/status").statusCode()).isEqualTo(404);
    assertThat(get(main, "/cohort/health").statusCode()).isEqualTo(200);
    assertThat(get(adminPort, "/cohort/status").statusCode()).isEqualTo(200);
  }

  @Test
  void postIsRefused() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + port(tomcat.getConnector()) + "/cohort/health"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
  }

  @Test
  void registersTheMBean_whileStarted() throws Exception {
    engine.owned = 9;
    ObjectName name = new ObjectName("dev.cohort:type=Node,node=" + ObjectName.quote(nodeName));
    assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "SessionsOwned"))
        .isEqualTo(9L);

    tomcat.getEngine().getPipeline().removeValve(valve);

    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();
  }
}
