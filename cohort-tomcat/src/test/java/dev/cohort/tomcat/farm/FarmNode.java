package dev.cohort.tomcat.farm;

import dev.cohort.tomcat.CohortCluster;
import dev.cohort.tomcat.admin.AdminAuth;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * One embedded Tomcat with a CohortCluster that farms {@code farmDir}: no webapp of its own, HTTP
 * on 127.0.0.1:0, static discovery on free ports.
 */
final class FarmNode implements AutoCloseable {
  static final String SECRET = "farm-it-secret-0123456789abcdef";
  static final AdminAuth SIGNER = AdminAuth.of(SECRET);

  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final String name;
  final Path farmDir;
  final Tomcat tomcat;
  final CohortCluster cluster;

  /**
   * The ports of a test cluster: cluster port P (and P+100), farm port P+1000 (and +1100), the
   * first farmed application's P+1001 (and +1101).
   */
  record Ports(String clusterName, List<Integer> cluster) {
    static Ports free(int n) {
      Set<Integer> taken = new HashSet<>();
      List<Integer> out = new ArrayList<>();
      for (int attempt = 0; out.size() < n && attempt < 1000; attempt++) {
        int p = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
        int[] need = {p, p + 100, p + 1000, p + 1001, p + 1100, p + 1101};
        boolean ok = true;
        for (int q : need) {
          ok &= !taken.contains(q) && isFree(q);
        }
        if (ok) {
          for (int q : need) {
            taken.add(q);
          }
          out.add(p);
        }
      }
      if (out.size() < n) {
        throw new IllegalStateException("no free cluster ports on 127.0.0.1");
      }
      String cluster = "farm-it-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
      return new Ports(cluster, out);
    }

    String discovery() {
      StringBuilder b = new StringBuilder("static:");
      for (int i = 0; i < cluster.size(); i++) {
        b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(cluster.get(i));
      }
      return b.toString();
    }
  }

  private FarmNode(String name, Path farmDir, Ports ports, int index) throws IOException {
    this.name = name;
    this.farmDir = farmDir;
    Path base = Files.createTempDirectory("cohort-farm-" + name);
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    tomcat.getEngine().setJvmRoute(name);
    tomcat.getHost().setAutoDeploy(false);
    cluster = new CohortCluster();
    cluster.setClusterName(ports.clusterName());
    cluster.setPort(ports.cluster().get(index));
    cluster.setPortRange(0);
    cluster.setDiscovery(ports.discovery());
    cluster.setHeartbeat(500);
    cluster.setDropTime(3000);
    cluster.setAllowedClasses("dev.cohort.tomcat.farm.app.*");
    cluster.setFarmDir(farmDir.toString());
    cluster.setFarmScanInterval(300);
    cluster.setSecret(SECRET);
    tomcat.getEngine().setCluster(cluster);
  }

  static FarmNode start(String name, Path farmDir, Ports ports, int index) {
    try {
      FarmNode n = new FarmNode(name, farmDir, ports, index);
      n.tomcat.start();
      return n;
    } catch (IOException | LifecycleException e) {
      throw new IllegalStateException("node " + name + " did not start: " + e, e);
    }
  }

  int port() {
    return tomcat.getConnector().getLocalPort();
  }

  /** One GET; {@code key=value} lines of the body become fields, plus "status" and "cookie". */
  Map<String, String> get(String path, String sessionId) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
            .timeout(Duration.ofSeconds(30));
    if (sessionId != null) {
      b.header("Cookie", "JSESSIONID=" + sessionId);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    Map<String, String> fields = new HashMap<>();
    for (String line : r.body().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    fields.put("status", Integer.toString(r.statusCode()));
    r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("JSESSIONID="))
        .findFirst()
        .ifPresent(c -> fields.put("cookie", c.substring(11, c.indexOf(';'))));
    return fields;
  }

  HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A GET of an admin path, signed with the cluster secret. */
  HttpResponse<String> signedGet(String path) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
    SIGNER.sign("GET", path, null).forEach(b::header);
    return send(b);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
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

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
