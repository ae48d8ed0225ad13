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
import java.util.Map;
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
  private static final String SECRET = "admin-valve-it-secret-0123456789";
  private final AdminAuth signer = AdminAuth.of(SECRET);
  private AdminValve valve;
  private Connector admin;
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
    admin = new Connector();
    admin.setPort(0);
    admin.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(admin);
    valve = new AdminValve(() -> engines, nodeName);
    valve.setSecret(SECRET);
    tomcat.getEngine().getPipeline().addValve(valve);
    tomcat.start();
    valve.setAdminPort(port(admin));
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

  private HttpResponse<String> send(int port, String method, String path, Map<String, String> h)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    h.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersAdminPathsOnTheAdminConnector_andPassesOtherRequestsToTheWebapp() throws Exception {
    int p = port(admin);

    assertThat(get(p, "/cohort/health").statusCode()).isEqualTo(200);
    assertThat(get(p, "/cohort/status").body()).contains("\"node\":\"" + nodeName + "\"");
    assertThat(get(p, "/cohort/metrics").body()).contains("cohort_sessions_owned");
    assertThat(get(p, "/cohort/").body()).contains("<html");
    assertThat(get(port(tomcat.getConnector()), "/anything").body()).isEqualTo("app");
  }

  @Test
  void healthTurns503_whileAnEngineIsNotReady() throws Exception {
    engine.ready = false;
    assertThat(get(port(tomcat.getConnector()), "/cohort/health").statusCode()).isEqualTo(503);
  }

  @Test
  void pagesOnTheMainConnector_areRefusedToUnsignedClients_evenFromLoopback() throws Exception {
    // a same-host proxy makes every internet client a loopback client: the address counts for
    // nothing
    int main = port(tomcat.getConnector());
    for (String path : List.of("/cohort/status", "/cohort/metrics", "/cohort/", "/cohort")) {
      HttpResponse<String> r = get(main, path);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.body()).as(path).doesNotContain(nodeName).contains("admin connector");
    }
    assertThat(get(main, "/cohort/health").statusCode()).isEqualTo(200);
    assertThat(valve.refusedRequests()).isEqualTo(4);
  }

  @Test
  void signedRequests_areServedOnAnyConnector_once() throws Exception {
    int main = port(tomcat.getConnector());
    Map<String, String> h = signer.sign("GET", "/cohort/status", null);

    HttpResponse<String> first = send(main, "GET", "/cohort/status", h);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("\"node\":\"" + nodeName + "\"");

    HttpResponse<String> replay = send(main, "GET", "/cohort/status", h);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.body()).contains("replayed");
  }

  @Test
  void badSignatures_areRefused_evenOnTheAdminConnector() throws Exception {
    int p = port(admin);
    Map<String, String> otherPath = signer.sign("GET", "/cohort/metrics", null);
    assertThat(send(p, "GET", "/cohort/status", otherPath).statusCode()).isEqualTo(401);

    Map<String, String> otherSecret =
        AdminAuth.of("some-other-secret-0123456789").sign("GET", "/cohort/status", null);
    HttpResponse<String> r = send(p, "GET", "/cohort/status", otherSecret);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("bad signature").doesNotContain(SECRET);
  }

  @Test
  void changes_needASignature_evenOnTheAdminConnector() throws Exception {
    int p = port(admin);
    HttpResponse<String> unsigned = send(p, "POST", "/cohort/health", Map.of());
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(unsigned.body()).contains("must be signed");

    HttpResponse<String> signed =
        send(p, "POST", "/cohort/health", signer.sign("POST", "/cohort/health", null));
    assertThat(signed.statusCode()).as("signed, but health takes no POST").isEqualTo(405);
  }

  @Test
  void withoutASecret_signedRequestsAreRefused_andTheAdminConnectorStillServesPages()
      throws Exception {
    valve.setSecret(null);
    HttpResponse<String> r =
        send(
            port(tomcat.getConnector()),
            "GET",
            "/cohort/status",
            signer.sign("GET", "/cohort/status", null));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("no cluster secret");
    assertThat(get(port(admin), "/cohort/status").statusCode()).isEqualTo(200);
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
