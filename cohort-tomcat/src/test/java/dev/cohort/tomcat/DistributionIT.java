package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real Tomcat distribution (unpacked by the build into target/dist), three CATALINA_BASEs with
 * the shaded {@code cohort-tomcat-*-all.jar} in lib/, a server.xml with CohortCluster and a
 * distributable webapp; started with {@code org.apache.catalina.startup.Bootstrap}, the owner is
 * killed with SIGKILL and the cookie continues elsewhere.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DistributionIT {
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "Tomcat {0}, mode {1}")
  @CsvSource({"10.1, backup", "11.0, all"})
  void ownerKilled_sessionContinuesOnAnotherNode(String line, String mode) throws Exception {
    Path home = distribution(line);
    Path allJar = Path.of(required("cohort.allJar"));
    assertThat(allJar).as("the shaded jar (mvn package)").exists();
    String cluster = "it-dist-" + UUID.randomUUID().toString().substring(0, 8);
    int[] clusterPorts = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
    int[] httpPorts = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
    String discovery =
        "static:127.0.0.1:"
            + clusterPorts[0]
            + ",127.0.0.1:"
            + clusterPorts[1]
            + ",127.0.0.1:"
            + clusterPorts[2];
    Path root = Files.createTempDirectory(Path.of("target"), "dist-" + line + "-");
    for (int i = 0; i < 3; i++) {
      String name = "n" + (i + 1);
      Path base = root.resolve(name);
      prepareBase(
          home, base, allJar, name, mode, cluster, clusterPorts[i], httpPorts[i], discovery);
      processes.add(startTomcat(home, base, name));
    }
    for (int port : httpPorts) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .until(() -> Http.get(port, "/ready.txt", null).status() == 200);
    }
    // nodes that start at the same time may first form separate views that JGroups merges later
    for (int port : httpPorts) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> "3".equals(Http.get(port, "/view.jsp", null).fields().get("members")));
    }

    String id = Http.get(httpPorts[0], "/counter.jsp", null).setCookieId();
    assertThat(id).endsWith(".n1");
    for (int i = 2; i <= 10; i++) {
      assertThat(Http.get(httpPorts[0], "/counter.jsp", id).count()).isEqualTo(i);
    }

    processes.get(0).destroyForcibly(); // kill -9
    processes.get(0).waitFor(20, TimeUnit.SECONDS);
    Http.Reply r = Http.get(httpPorts[1], "/counter.jsp", id);

    assertThat(r.count()).isEqualTo(11);
    assertThat(r.node()).isEqualTo("n2");
    assertThat(r.setCookieId()).isEqualTo(id.replace(".n1", ".n2"));
    assertThat(Http.get(httpPorts[2], "/counter.jsp", r.setCookieId()).count()).isEqualTo(12);
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    assertThat(v).as("system property " + property + " (set by the failsafe config)").isNotNull();
    return v;
  }

  private static Path distribution(String line) {
    Path dist = Path.of(required("cohort.distDir"));
    for (String version : required("cohort.tomcatVersions").split(",")) {
      if (version.startsWith(line + ".")) {
        Path home = dist.resolve("apache-tomcat-" + version);
        assertThat(home.resolve("bin/bootstrap.jar")).as("unpacked Tomcat " + version).exists();
        return home;
      }
    }
    throw new AssertionError("no Tomcat " + line + " distribution configured");
  }

  private static void prepareBase(
      Path home,
      Path base,
      Path allJar,
      String name,
      String mode,
      String cluster,
      int clusterPort,
      int httpPort,
      String discovery)
      throws IOException {
    for (String d : List.of("conf", "lib", "logs", "temp", "work", "webapps/ROOT/WEB-INF")) {
      Files.createDirectories(base.resolve(d));
    }
    for (String f : List.of("web.xml", "catalina.properties", "logging.properties")) {
      Files.copy(home.resolve("conf").resolve(f), base.resolve("conf").resolve(f));
    }
    Files.copy(allJar, base.resolve("lib").resolve(allJar.getFileName()));
    Files.writeString(
        base.resolve("conf/server.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Server port="-1" shutdown="SHUTDOWN">
          <Service name="Catalina">
            <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1"/>
            <Engine name="Catalina" defaultHost="localhost" jvmRoute="%s">
              <Cluster className="dev.cohort.tomcat.CohortCluster" mode="%s" sync="true"
                       clusterName="%s" bindAddress="127.0.0.1" port="%d" portRange="0"
                       discovery="%s" heartbeat="500" dropTime="2000" syncTimeout="5000"
                       stateTransferTimeout="20000"/>
              <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
            </Engine>
          </Service>
        </Server>
        """
            .formatted(httpPort, name, mode, cluster, clusterPort, discovery));
    Files.writeString(
        base.resolve("webapps/ROOT/WEB-INF/web.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
          <distributable/>
        </web-app>
        """);
    Files.writeString(base.resolve("webapps/ROOT/ready.txt"), "ready\n");
    Files.writeString(
        base.resolve("webapps/ROOT/view.jsp"),
        """
        <%@ page contentType="text/plain; charset=UTF-8" session="false" %>members=<%=
          ((dev.cohort.core.engine.SessionEngine) application.getAttribute("dev.cohort.engine"))
              .view().size() %>
        """);
    Files.writeString(
        base.resolve("webapps/ROOT/counter.jsp"),
        """
        <%@ page contentType="text/plain; charset=UTF-8" session="true" %><%
          Integer c = (Integer) session.getAttribute("count");
          int n = c == null ? 1 : c + 1;
          session.setAttribute("count", n);
        %>node=<%= System.getProperty("cohort.node") %>
        count=<%= n %>
        session=<%= session.getId() %>
        """);
  }

  private static Process startTomcat(Path home, Path base, String name) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        home.resolve("bin/bootstrap.jar")
            + java.io.File.pathSeparator
            + home.resolve("bin/tomcat-juli.jar");
    List<String> cmd =
        List.of(
            javaBin,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true",
            "-Dcohort.node=" + name,
            "-Dcatalina.home=" + home.toAbsolutePath(),
            "-Dcatalina.base=" + base.toAbsolutePath(),
            "-Djava.io.tmpdir=" + base.resolve("temp").toAbsolutePath(),
            "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
            "-Djava.util.logging.config.file="
                + base.resolve("conf/logging.properties").toAbsolutePath(),
            "-cp",
            cp,
            "org.apache.catalina.startup.Bootstrap",
            "start");
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(base.resolve("logs/stdout.log").toFile())
        .start();
  }
}
