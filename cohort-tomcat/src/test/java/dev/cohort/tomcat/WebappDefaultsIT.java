package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WebappDefaults} in a real embedded Tomcat that has no Jasper (this module's test class
 * path): static files are served with their MIME type, and a JSP's source is never sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebappDefaultsIT {
  @TempDir Path dir;

  @Test
  void withoutJasper_staticFilesAreServed_andJspSourceIsNot() throws Exception {
    assertThat(WebappDefaults.jasperPresent(getClass().getClassLoader())).isFalse();
    Path app = Files.createDirectories(dir.resolve("app"));
    Files.writeString(app.resolve("a.txt"), "static\n");
    Files.writeString(app.resolve("secret.jsp"), "<% String password = \"hunter2\"; %>\n");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(dir.resolve("base").toString());
    Connector c = new Connector();
    c.setPort(0);
    c.setProperty("address", "127.0.0.1");
    tomcat.setConnector(c);
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context ctx = tomcat.addWebapp("", app.toString());
    WebappDefaults.install(ctx);
    tomcat.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + c.getLocalPort();
      HttpResponse<String> txt =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/a.txt")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(txt.statusCode()).isEqualTo(200);
      assertThat(txt.body()).isEqualTo("static\n");
      assertThat(txt.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");

      HttpResponse<String> jsp =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/secret.jsp")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(jsp.statusCode()).isEqualTo(500);
      assertThat(jsp.body()).doesNotContain("hunter2");
    } finally {
      tomcat.stop();
      tomcat.destroy();
    }
  }
}
