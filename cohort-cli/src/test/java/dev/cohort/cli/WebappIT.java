package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cohort node --webapp DIR}, as a user runs it: the directory gets what a Tomcat
 * distribution's {@code conf/web.xml} gives a webapp — static files with their MIME types, JSPs
 * compiled and run (never their source), welcome files — and a JSP that uses the session is
 * replicated like any servlet.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebappIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  private HttpResponse<String> get(int port, String path, String cookie) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void staticFilesAndJsps_areServedAsInATomcatDistribution() throws Exception {
    Path app = Files.createDirectories(dir.resolve("app"));
    Files.createDirectories(app.resolve("WEB-INF"));
    Files.writeString(
        app.resolve("WEB-INF/web.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
          <distributable/>
        </web-app>
        """);
    Files.writeString(app.resolve("hello.txt"), "hello, static\n");
    Files.writeString(Files.createDirectories(app.resolve("files")).resolve("a.txt"), "a\n");
    Files.writeString(app.resolve("style.css"), "body { color: teal; }\n");
    Files.writeString(
        app.resolve("index.jsp"), "<%@ page contentType=\"text/plain\" %>welcome <%= 6 * 7 %>\n");
    Files.writeString(
        app.resolve("count.jsp"),
        """
        <%@ page contentType="text/plain" session="true" %><%
          Integer n = (Integer) session.getAttribute("n");
          n = n == null ? 1 : n + 1;
          session.setAttribute("n", n);
        %>count <%= n %>
        """);
    int port = Ports.free();
    int cluster = Ports.freeBlock(1, 100);
    try (JarProcess node =
        JarProcess.start(
            "webapp-it",
            "node",
            "--name",
            "w1",
            "--http-port",
            Integer.toString(port),
            "--cluster-port",
            Integer.toString(cluster),
            "--port-range",
            "0",
            "--members",
            "127.0.0.1:" + cluster,
            "--webapp",
            app.toString())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> node.output().contains("ready") || !node.process.isAlive());
      assertThat(node.output()).as(node.errors()).contains("Cohort node w1 ready");

      HttpResponse<String> txt = get(port, "/hello.txt", null);
      assertThat(txt.statusCode()).isEqualTo(200);
      assertThat(txt.body()).isEqualTo("hello, static\n");
      assertThat(get(port, "/style.css", null).headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));

      HttpResponse<String> welcome = get(port, "/", null);
      assertThat(welcome.statusCode()).isEqualTo(200);
      assertThat(welcome.body()).contains("welcome 42").doesNotContain("<%");

      HttpResponse<String> first = get(port, "/count.jsp", null);
      assertThat(first.body()).as("the JSP runs, its source is never sent").contains("count 1");
      assertThat(first.body()).doesNotContain("<%", "session.getAttribute");
      String cookie =
          first.headers().allValues("Set-Cookie").stream()
              .filter(c -> c.startsWith("JSESSIONID="))
              .map(c -> c.split(";", 2)[0])
              .findFirst()
              .orElseThrow();
      assertThat(cookie).endsWith(".w1");
      assertThat(get(port, "/count.jsp", cookie).body()).contains("count 2");

      assertThat(get(port, "/WEB-INF/web.xml", null).statusCode()).isEqualTo(404);
      assertThat(get(port, "/files/", null).statusCode())
          .as("no directory listings")
          .isEqualTo(404);
    }
  }
}
