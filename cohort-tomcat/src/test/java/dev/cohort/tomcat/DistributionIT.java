package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real Tomcat distributions (unpacked by the build into target/dist) with the shaded {@code
 * cohort-tomcat-*-all.jar} in lib/, started as {@code org.apache.catalina.startup.Bootstrap}
 * processes and killed with SIGKILL:
 *
 * <ul>
 *   <li>three CATALINA_BASEs with CohortCluster: the owner is killed and the cookie continues
 *       elsewhere;
 *   <li>one CATALINA_BASE with the distribution's own conf/ (a stock Tomcat) and both users of a
 *       store: killed and started again, both sessions keep their counters;
 *   <li>two CATALINA_BASEs with the complete examples of Tomcat's cluster-howto, half-migrated:
 *       they start, say what became of each nested element, and replicate;
 *   <li>the jar itself: every class it bundles is relocated under {@code dev.cohort}.
 * </ul>
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DistributionIT {
  /** Classes of what the jar bundles, under their original names: no webapp may see them. */
  private static final List<String> BUNDLED_ORIGINALS =
      List.of(
          "com.zaxxer.hikari.HikariDataSource",
          "org.slf4j.LoggerFactory",
          "org.slf4j.jul.JULServiceProvider",
          "org.h2.Driver",
          "org.postgresql.Driver",
          "org.jgroups.JChannel",
          "io.micrometer.core.instrument.MeterRegistry",
          "org.checkerframework.checker.nullness.qual.Nullable",
          "org.jspecify.annotations.Nullable");

  /**
   * The same class relocated: a webapp sees it (Tomcat's common loader), which proves the probe.
   */
  private static final String RELOCATED_CONTROL =
      "dev.cohort.shaded.com.zaxxer.hikari.HikariDataSource";

  private final List<Process> processes = new ArrayList<>();
  private final List<String> postgresTables = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException, SQLException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(20, TimeUnit.SECONDS);
    }
    if (!postgresTables.isEmpty()) {
      try (Connection c = postgresConnection();
          Statement s = c.createStatement()) {
        for (String t : postgresTables) {
          s.execute("DROP TABLE IF EXISTS " + t);
        }
      }
    }
  }

  @ParameterizedTest(name = "Tomcat {0}, mode {1}")
  @CsvSource({"10.1, backup", "11.0, all"})
  void ownerKilled_sessionContinuesOnAnotherNode(String line, String mode) throws Exception {
    Path home = TomcatDistribution.home(line);
    Path allJar = TomcatDistribution.allJar();
    String cluster = "it-dist-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = NodeProcess.freePorts(6);
    int[] clusterPorts = {ports[0], ports[1], ports[2]};
    int[] httpPorts = {ports[3], ports[4], ports[5]};
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
      String clusterXml =
          """
                <Cluster className="dev.cohort.tomcat.CohortCluster" mode="%s" sync="true"
                         clusterName="%s" bindAddress="127.0.0.1" port="%d" portRange="0"
                         discovery="%s" heartbeat="500" dropTime="2000" syncTimeout="5000"
                         stateTransferTimeout="20000"/>
          """
              .formatted(mode, cluster, clusterPorts[i], discovery);
      startNode(home, root.resolve(name), allJar, name, clusterXml, httpPorts[i]);
    }
    awaitView(httpPorts);

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

  /**
   * The two complete {@code <Cluster>} examples of Tomcat's own cluster-howto, read from the
   * distribution's webapps/docs/cluster-howto.html, half-migrated: only the className is changed to
   * CohortCluster, and attributes are added that keep the test on loopback. Tomcat's digester
   * creates every nested Tribes object (catalina-ha.jar and catalina-tribes.jar are in lib/) and
   * hands it to the cluster: each is logged once, as mapped or ignored, nothing fails to parse, and
   * two nodes replicate in the mode and sync that the example's Manager and channelSendOptions map
   * to.
   */
  @ParameterizedTest(name = "Tomcat {0}, cluster-howto example {1}")
  @CsvSource({"10.1, 0, ALL, async, 7", "11.0, 1, BACKUP, sync, 6"})
  void halfMigratedClusterHowtoExample_logsEachElementOnce_andReplicates(
      String line, int example, String mode, String sync, int elements) throws Exception {
    Path home = TomcatDistribution.home(line);
    String tomcatXml = clusterHowtoExamples(home).get(example);
    String cluster = "it-dist-howto-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = NodeProcess.freePorts(4);
    int[] clusterPorts = {ports[0], ports[1]};
    int[] httpPorts = {ports[2], ports[3]};
    String discovery = "static:127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1];
    Path root = Files.createTempDirectory(Path.of("target"), "dist-howto-" + line + "-");
    String tomcatClass = "className=\"org.apache.catalina.ha.tcp.SimpleTcpCluster\"";
    assertThat(tomcatXml).containsOnlyOnce(tomcatClass);
    for (int i = 0; i < 2; i++) {
      String halfMigrated =
          tomcatXml.replace(
              tomcatClass,
              ("className=\"dev.cohort.tomcat.CohortCluster\" clusterName=\"%s\""
                      + " bindAddress=\"127.0.0.1\" port=\"%d\" portRange=\"0\" discovery=\"%s\""
                      + " heartbeat=\"500\" dropTime=\"2000\"")
                  .formatted(cluster, clusterPorts[i], discovery));
      String name = "n" + (i + 1);
      Path base = root.resolve(name);
      Process p =
          startNode(home, base, TomcatDistribution.allJar(), name, halfMigrated, httpPorts[i]);
      // fails at once, with the log's errors, if the server.xml does not parse
      TomcatDistribution.awaitServing(
          p, httpPorts[i], "/ready.txt", base.resolve("logs/stdout.log"));
    }
    awaitView(httpPorts);

    String log = TomcatDistribution.read(root.resolve("n1/logs/stdout.log"));
    List<String> said = log.lines().filter(l -> l.contains("cohort: <Cluster> ")).toList();
    assertThat(said)
        .as("one line per nested element and Tomcat attribute:\n" + log)
        .hasSize(elements);
    String manager = mode.equals("ALL") ? "DeltaManager" : "BackupManager";
    assertThat(log)
        .contains(
            "<Manager className=\"org.apache.catalina.ha.session."
                + manager
                + "\"> mapped to mode=\""
                + mode.toLowerCase(Locale.ROOT)
                + "\"")
        .contains("mapped to sync=\"" + sync.equals("sync") + "\"")
        .contains("<Channel className=\"org.apache.catalina.tribes.group.GroupChannel\"> ignored")
        .contains("<Valve className=\"org.apache.catalina.ha.tcp.ReplicationValve\">")
        .contains("<Deployer className=\"org.apache.catalina.ha.deploy.FarmWarDeployer\"> ignored")
        .contains(
            "<ClusterListener className=\"org.apache.catalina.ha.session.ClusterSessionListener\">"
                + " ignored")
        .contains(
            "replicates sessions as [n1] in cluster ["
                + cluster
                + "/ROOT], mode "
                + mode
                + ", "
                + sync)
        .doesNotContain("SEVERE")
        // the Cluster's own attributes all found a setter (Tomcat 11's BackupManager has no
        // expireSessionsOnShutdown, which its docs example sets: the digester says so, as it would
        // under SimpleTcpCluster)
        .doesNotContain("Match [Server/Service/Engine/Cluster] failed");

    String id = Http.get(httpPorts[0], "/counter.jsp", null).setCookieId();
    for (int i = 2; i <= 3; i++) {
      assertThat(Http.get(httpPorts[0], "/counter.jsp", id).count()).isEqualTo(i);
    }
    Http.Reply r = Http.get(httpPorts[1], "/counter.jsp", id);
    assertThat(r.count()).isEqualTo(4);
    assertThat(r.setCookieId()).isEqualTo(id.replace(".n1", ".n2"));
  }

  /**
   * The complete {@code <Cluster>} examples (the ones with a {@code <Channel>}) of the
   * distribution's docs/cluster-howto.html, as the page shows them.
   */
  static List<String> clusterHowtoExamples(Path home) throws IOException {
    String page = Files.readString(home.resolve("webapps/docs/cluster-howto.html"));
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<pre>(.*?)</pre>", Pattern.DOTALL).matcher(page);
    while (m.find()) {
      String text =
          m.group(1)
              .replaceAll("<[^>]+>", "")
              .replace("&lt;", "<")
              .replace("&gt;", ">")
              .replace("&quot;", "\"")
              .replace("&amp;", "&");
      if (text.contains("SimpleTcpCluster") && text.contains("<Channel")) {
        out.add(text);
      }
    }
    assertThat(out)
        .as("the full examples of " + home + "/webapps/docs/cluster-howto.html")
        .hasSize(2);
    return out;
  }

  /**
   * A stock Tomcat (the distribution's own conf/, only ports, jvmRoute and the Cluster changed)
   * with both users of a store in one process: the ROOT context is distributable under a {@code
   * <Cluster ... store=... storeSync="true">} (a cluster of one), {@code /pm} has a {@code <Manager
   * className="dev.cohort.tomcat.PersistentManager" store=...>} in its META-INF/context.xml. The
   * process is killed with SIGKILL and started again on the same CATALINA_BASE; both cookies find
   * their counters. Before the kill the test also checks that HikariCP logs through Tomcat's JULI
   * and that no webapp sees any bundled library under its original package name.
   *
   * <p>One process per Tomcat line carries both contexts, and the databases swap between the lines
   * (10.1: cluster on PostgreSQL, PersistentManager on H2; 11.0: the other way round): every
   * manager meets every database and every database runs in both Tomcats, with two Tomcat starts
   * per line instead of the eight starts of a full line x manager x database matrix (each start of
   * a distribution costs several seconds of the suite's two cores). PostgreSQL is the suite's
   * shared server (COHORT_PG_URL/USER/PASSWORD, default 127.0.0.1:5432 cohort/cohort/cohort,
   * started by scripts/test-env-setup), with tables of the test's own.
   */
  @ParameterizedTest(name = "Tomcat {0}: Cluster store on {1}, PersistentManager store on {2}")
  @CsvSource({"10.1, postgres, h2", "11.0, h2, postgres"})
  void storedSessions_surviveKill9AndRestart(String line, String clusterDb, String managerDb)
      throws Exception {
    Path home = TomcatDistribution.home(line);
    Path allJar = TomcatDistribution.allJar();
    Path base = Files.createTempDirectory(Path.of("target"), "dist-store-" + line + "-");
    String clusterStore = storeSpec(clusterDb, base.resolve("data/cluster"));
    String managerStore = storeSpec(managerDb, base.resolve("data/pm"));
    prepareStockBase(home, base, allJar, managerStore);

    Tomcat first = startStockTomcat(home, base, clusterStore, 1);
    String replicated = Http.get(first.http(), "/counter.jsp", null).setCookieId();
    String persistent = Http.get(first.http(), "/pm/counter.jsp", null).setCookieId();
    assertThat(replicated).as("the clustered context's cookie").endsWith(".n1");
    assertThat(persistent).as("the PersistentManager context's cookie").isNotNull();
    for (int i = 2; i <= 3; i++) {
      assertThat(Http.get(first.http(), "/counter.jsp", replicated).count()).isEqualTo(i);
      assertThat(Http.get(first.http(), "/pm/counter.jsp", persistent).count()).isEqualTo(i);
    }
    Map<String, String> visibility = Http.get(first.http(), "/pm/classes.jsp", null).fields();
    assertThat(visibility).containsEntry(RELOCATED_CONTROL, "visible");
    for (String name : BUNDLED_ORIGINALS) {
      assertThat(visibility).as("a webapp looks up " + name).containsEntry(name, "hidden");
    }
    String log = TomcatDistribution.read(first.log());
    assertThat(log)
        .as("HikariCP (relocated) logs through slf4j to JULI, see " + first.log())
        .contains("dev.cohort.shaded.com.zaxxer.hikari.HikariDataSource")
        .contains("cohort-store - Start completed.")
        .doesNotContain("No SLF4J providers");

    first.process().destroyForcibly(); // kill -9
    assertThat(first.process().waitFor(20, TimeUnit.SECONDS)).isTrue();

    Tomcat second = startStockTomcat(home, base, clusterStore, 2);
    Http.Reply r = Http.get(second.http(), "/counter.jsp", replicated);
    assertThat(r.count()).as("clustered session (store %s) after kill -9", clusterDb).isEqualTo(4);
    assertThat(r.setCookieId()).as("same node name, same cookie").isNull();
    assertThat(Http.get(second.http(), "/pm/counter.jsp", persistent).count())
        .as("PersistentManager session (store %s) after kill -9", managerDb)
        .isEqualTo(4);
  }

  /**
   * Every class in the jar lives under {@code dev/cohort/} (its own, or a bundled library relocated
   * to {@code dev.cohort.shaded}); the service files that find the relocated classes name them.
   */
  @Test
  void allJar_bundlesNoClassUnderItsOriginalPackage() throws IOException {
    try (JarFile jar = new JarFile(TomcatDistribution.allJar().toFile())) {
      List<String> classes =
          jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).toList();
      assertThat(classes).contains("dev/cohort/shaded/com/zaxxer/hikari/HikariDataSource.class");
      assertThat(classes)
          .filteredOn(n -> !n.matches("(META-INF/versions/\\d+/)?dev/cohort/.+"))
          .as("classes outside dev/cohort/ (not relocated)")
          .isEmpty();
      assertThat(services(jar, "java.sql.Driver"))
          .containsExactlyInAnyOrder(
              "dev.cohort.shaded.org.h2.Driver", "dev.cohort.shaded.org.postgresql.Driver");
      assertThat(services(jar, "dev.cohort.shaded.org.slf4j.spi.SLF4JServiceProvider"))
          .containsExactly("dev.cohort.shaded.org.slf4j.jul.JULServiceProvider");
    }
  }

  /**
   * The relocated H2 still finds its messages (kept in org/h2/util/data.zip, whose entry names
   * shade does not rewrite), so a store's errors stay readable: loaded alone from the jar.
   */
  @Test
  void allJar_bundledH2_keepsItsErrorMessages() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "dist-h2-");
    try (URLClassLoader jar =
        new URLClassLoader(
            new URL[] {TomcatDistribution.allJar().toUri().toURL()},
            ClassLoader.getPlatformClassLoader())) {
      Driver h2 =
          (Driver)
              Class.forName("dev.cohort.shaded.org.h2.Driver", true, jar)
                  .getDeclaredConstructor()
                  .newInstance();
      try (Connection c =
              h2.connect("jdbc:h2:file:" + dir.toAbsolutePath().resolve("db"), new Properties());
          Statement s = c.createStatement()) {
        assertThatThrownBy(() -> s.executeQuery("SELECT * FROM MISSING_TABLE"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("Table \"MISSING_TABLE\" not found");
      }
    }
  }

  private static List<String> services(JarFile jar, String service) throws IOException {
    JarEntry e = jar.getJarEntry("META-INF/services/" + service);
    assertThat(e).as("META-INF/services/" + service).isNotNull();
    String text = new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
    return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private record Tomcat(Process process, int http, Path log) {}

  /**
   * A store spec: an H2 file at {@code h2File}, or fresh tables on the shared PostgreSQL. The
   * connect timeout is 15 s instead of 3: a Tomcat JVM that has just started, on a machine loaded
   * far beyond its cores, once took longer than 3 s for its first PostgreSQL connection.
   */
  private String storeSpec(String db, Path h2File) {
    String connectTimeout = "cohort.connectTimeoutMs=15000";
    if (db.equals("h2")) {
      return "jdbc:h2:file:" + h2File.toAbsolutePath() + "?" + connectTimeout;
    }
    assertThat(db).isEqualTo("postgres");
    try (Connection c = postgresConnection()) {
      assertThat(c.isValid(5)).isTrue();
    } catch (SQLException e) {
      String why =
          "PostgreSQL is not reachable at "
              + env("COHORT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/cohort")
              + " ("
              + e.getMessage()
              + ") — scripts/test-env-setup starts it";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true and " + why);
      }
      Assumptions.abort(why);
    }
    String table = "dist_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    postgresTables.add(table + "_attrs");
    postgresTables.add(table + "_sessions");
    String url = env("COHORT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/cohort");
    return url
        + (url.contains("?") ? "&" : "?")
        + "user="
        + env("COHORT_PG_USER", "cohort")
        + "&password="
        + env("COHORT_PG_PASSWORD", "cohort")
        + "&cohort.sessionTable="
        + table
        + "_sessions&cohort.attributeTable="
        + table
        + "_attrs&"
        + connectTimeout;
  }

  private static Connection postgresConnection() throws SQLException {
    return DriverManager.getConnection(
        env("COHORT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/cohort"),
        env("COHORT_PG_USER", "cohort"),
        env("COHORT_PG_PASSWORD", "cohort"));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /**
   * The distribution's conf/ as it ships; a distributable ROOT and a {@code /pm} webapp whose
   * META-INF/context.xml names the PersistentManager.
   */
  private static void prepareStockBase(Path home, Path base, Path allJar, String managerStore)
      throws IOException {
    for (String d : List.of("conf", "lib", "logs", "temp", "work", "data")) {
      Files.createDirectories(base.resolve(d));
    }
    try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
      for (Path f : conf.filter(Files::isRegularFile).toList()) {
        Files.copy(f, base.resolve("conf").resolve(f.getFileName()));
      }
    }
    Files.copy(allJar, base.resolve("lib").resolve(allJar.getFileName()));
    Path root = base.resolve("webapps/ROOT");
    Files.createDirectories(root.resolve("WEB-INF"));
    Files.writeString(root.resolve("WEB-INF/web.xml"), TomcatDistribution.webXml(true));
    Files.writeString(root.resolve("ready.txt"), "ready\n");
    Files.writeString(root.resolve("counter.jsp"), TomcatDistribution.COUNTER_JSP);
    Path pm = base.resolve("webapps/pm");
    Files.createDirectories(pm.resolve("WEB-INF"));
    Files.createDirectories(pm.resolve("META-INF"));
    Files.writeString(pm.resolve("WEB-INF/web.xml"), TomcatDistribution.webXml(false));
    Files.writeString(
        pm.resolve("META-INF/context.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Context>
          <Manager className="dev.cohort.tomcat.PersistentManager" store="%s"/>
        </Context>
        """
            .formatted(xmlAttribute(managerStore)));
    Files.writeString(pm.resolve("ready.txt"), "ready\n");
    Files.writeString(pm.resolve("counter.jsp"), TomcatDistribution.COUNTER_JSP);
    Files.writeString(
        pm.resolve("classes.jsp"),
        """
        <%%@ page contentType="text/plain; charset=UTF-8" session="false" %%><%%
          ClassLoader loader = Thread.currentThread().getContextClassLoader();
          for (String name : new String[] {%s}) {
            String seen;
            try {
              Class.forName(name, false, loader);
              seen = "visible";
            } catch (ClassNotFoundException e) {
              seen = "hidden";
            }
            out.println(name + "=" + seen);
          }
        %%>
        """
            .formatted(
                Stream.concat(BUNDLED_ORIGINALS.stream(), Stream.of(RELOCATED_CONTROL))
                    .map(n -> "\"" + n + "\"")
                    .collect(Collectors.joining(", "))));
  }

  /**
   * Writes the stock server.xml with this start's ports (fresh ones each start: the killed
   * process's sockets may linger) and starts Tomcat; returns once both contexts serve.
   */
  private Tomcat startStockTomcat(Path home, Path base, String clusterStore, int start)
      throws IOException {
    int http = NodeProcess.freePort();
    int clusterPort = NodeProcess.freePort();
    String cluster =
        """
              <Cluster className="dev.cohort.tomcat.CohortCluster" clusterName="%s"
                       bindAddress="127.0.0.1" port="%d" portRange="0"
                       discovery="static:127.0.0.1:%d" heartbeat="500" dropTime="2000"
                       store="%s" storeSync="true"/>
        """
            .formatted(
                "it-dist-store-" + base.getFileName(),
                clusterPort,
                clusterPort,
                xmlAttribute(clusterStore));
    String xml = TomcatDistribution.stockServerXml(home, http, "n1", cluster);
    Files.writeString(base.resolve("conf/server.xml"), xml);
    Path log = base.resolve("logs/stdout-" + start + ".log");
    Process p = TomcatDistribution.start(home, base, "n1", log);
    processes.add(p);
    Tomcat t = new Tomcat(p, http, log);
    for (String path : List.of("/ready.txt", "/pm/ready.txt")) {
      TomcatDistribution.awaitServing(p, http, path, log);
    }
    return t;
  }

  private static String xmlAttribute(String value) {
    return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
  }

  /** Starts one Tomcat on its own CATALINA_BASE (see {@link #prepareBase}); console in logs/. */
  private Process startNode(
      Path home, Path base, Path allJar, String name, String clusterXml, int httpPort)
      throws IOException {
    prepareBase(home, base, allJar, name, clusterXml, httpPort);
    Process p = TomcatDistribution.start(home, base, name, base.resolve("logs/stdout.log"));
    processes.add(p);
    return p;
  }

  /** Waits until every node serves and sees all of them in one view. */
  private static void awaitView(int... httpPorts) {
    for (int port : httpPorts) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .until(() -> Http.get(port, "/ready.txt", null).status() == 200);
    }
    // nodes that start at the same time may first form separate views that JGroups merges later
    String members = String.valueOf(httpPorts.length);
    for (int port : httpPorts) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> members.equals(Http.get(port, "/view.jsp", null).fields().get("members")));
    }
  }

  /**
   * A CATALINA_BASE with the distribution's web.xml, catalina.properties and logging.properties,
   * the jar in lib/, a server.xml with {@code clusterXml} in its Engine (jvmRoute {@code name}),
   * and a distributable ROOT webapp with counter.jsp and view.jsp.
   */
  private static void prepareBase(
      Path home, Path base, Path allJar, String name, String clusterXml, int httpPort)
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
        %s
              <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
            </Engine>
          </Service>
        </Server>
        """
            .formatted(httpPort, name, clusterXml));
    Files.writeString(
        base.resolve("webapps/ROOT/WEB-INF/web.xml"), TomcatDistribution.webXml(true));
    Files.writeString(base.resolve("webapps/ROOT/ready.txt"), "ready\n");
    Files.writeString(
        base.resolve("webapps/ROOT/view.jsp"),
        """
        <%@ page contentType="text/plain; charset=UTF-8" session="false" %>members=<%=
          ((dev.cohort.core.engine.SessionEngine) application.getAttribute("dev.cohort.engine"))
              .view().size() %>
        """);
    Files.writeString(base.resolve("webapps/ROOT/counter.jsp"), TomcatDistribution.COUNTER_JSP);
  }
}
