package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The real Tomcat distributions and the shaded jar the build prepares for {@link DistributionIT}
 * (failsafe system properties {@code cohort.distDir}, {@code cohort.tomcatVersions}, {@code
 * cohort.allJar}), and how a test starts one: {@code org.apache.catalina.startup.Bootstrap} in a
 * JVM of its own, its console in a file.
 */
final class TomcatDistribution {
  /** A session counter page; {@code node} is the JVM's {@code -Dcohort.node}. */
  static final String COUNTER_JSP =
      """
      <%@ page contentType="text/plain; charset=UTF-8" session="true" %><%
        Integer c = (Integer) session.getAttribute("count");
        int n = c == null ? 1 : c + 1;
        session.setAttribute("count", n);
      %>node=<%= System.getProperty("cohort.node") %>
      count=<%= n %>
      session=<%= session.getId() %>
      """;

  private TomcatDistribution() {}

  /** CATALINA_HOME of the unpacked distribution of {@code line} ("10.1", "11.0"). */
  static Path home(String line) {
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

  static Path allJar() {
    Path allJar = Path.of(required("cohort.allJar"));
    assertThat(allJar).as("the shaded jar (mvn package)").exists();
    return allJar;
  }

  static String webXml(boolean distributable) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">%s
        </web-app>
        """
        .formatted(distributable ? "\n  <distributable/>" : "");
  }

  /**
   * The distribution's own conf/server.xml with only these changes: no shutdown port, the HTTP
   * connector on {@code httpPort} bound to 127.0.0.1, the Engine's {@code jvmRoute}, and {@code
   * engineChildren} (a Cluster, say) first inside the Engine. Fails if the stock file changed
   * shape.
   */
  static String stockServerXml(Path home, int httpPort, String jvmRoute, String engineChildren)
      throws IOException {
    String xml = Files.readString(home.resolve("conf/server.xml"));
    xml = replaceOnce(xml, "<Server port=\"8005\"", "<Server port=\"-1\"");
    xml =
        replaceOnce(
            xml,
            "<Connector port=\"8080\"",
            "<Connector port=\"" + httpPort + "\" address=\"127.0.0.1\"");
    return replaceOnce(
        xml,
        "<Engine name=\"Catalina\" defaultHost=\"localhost\">",
        "<Engine name=\"Catalina\" defaultHost=\"localhost\" jvmRoute=\""
            + jvmRoute
            + "\">\n"
            + engineChildren);
  }

  private static String replaceOnce(String text, String target, String replacement) {
    int i = text.indexOf(target);
    assertThat(i).as("the stock server.xml has " + target).isGreaterThanOrEqualTo(0);
    assertThat(text.indexOf(target, i + 1)).as("only once: " + target).isEqualTo(-1);
    return text.substring(0, i) + replacement + text.substring(i + target.length());
  }

  /**
   * Starts Tomcat on {@code base}; console (stdout, stderr and JULI's ConsoleHandler) to a file.
   */
  static Process start(Path home, Path base, String node, Path console) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        home.resolve("bin/bootstrap.jar")
            + File.pathSeparator
            + home.resolve("bin/tomcat-juli.jar");
    List<String> cmd =
        List.of(
            javaBin,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true",
            "-Dcohort.node=" + node,
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
        .redirectOutput(console.toFile())
        .start();
  }

  /**
   * Waits until {@code path} answers 200; stops waiting at once, with the log's errors, when Tomcat
   * exits or reports a context or component that failed to start.
   */
  static void awaitServing(Process tomcat, int port, String path, Path console) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .failFast(
            "Tomcat did not start " + path + ", see " + console, () -> failedStart(tomcat, console))
        .until(() -> Http.get(port, path, null).status() == 200);
  }

  private static void failedStart(Process tomcat, Path console) throws IOException {
    String log = read(console);
    if (!tomcat.isAlive()
        || log.contains("startup failed")
        || log.contains("Failed to start component")) {
      throw new AssertionError(
          "Tomcat failed to start (alive: "
              + tomcat.isAlive()
              + "), from "
              + console
              + ":\n"
              + log.lines()
                  .filter(l -> l.matches(".*(SEVERE|Error|Exception|Caused by).*"))
                  .limit(30)
                  .collect(Collectors.joining("\n")));
    }
  }

  /** A log file as it is now (a partly written last character is replaced, not thrown on). */
  static String read(Path log) throws IOException {
    return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    assertThat(v).as("system property " + property + " (set by the failsafe config)").isNotNull();
    return v;
  }
}
