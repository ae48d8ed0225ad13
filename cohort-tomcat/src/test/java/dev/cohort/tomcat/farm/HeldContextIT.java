package dev.cohort.tomcat.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redeployed farm context holds requests while its session cluster rejoins (HostDeployer): this
 * checks, in a real embedded Tomcat, that the connector lets a request to a held context wait and
 * serves it once released — the farm relies on Tomcat's handling of a paused context.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeldContextIT {
  @TempDir Path base;
  private Tomcat tomcat;

  @AfterEach
  void stop() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
  }

  @Test
  void requestToAHeldContext_waits_andIsServedOnceReleased() throws Exception {
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    HostDeployer.HeldContext ctx = new HostDeployer.HeldContext();
    ctx.setName("/app");
    ctx.setPath("/app");
    ctx.setDocBase(Files.createDirectories(base.resolve("app")).toString());
    ctx.addLifecycleListener(new Tomcat.FixContextListener());
    Tomcat.addServlet(
        ctx,
        "hello",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            resp.getWriter().write("served");
          }
        });
    ctx.addServletMappingDecoded("/*", "hello");
    tomcat.getHost().addChild(ctx);
    tomcat.start();
    ctx.hold(true);

    CompletableFuture<HttpResponse<String>> answer =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app/x"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    // the connector re-checks a paused context every second: no answer over two of its checks
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !answer.isDone());
    ctx.hold(false);
    HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("served");
  }
}
