package dev.cohort.cli.faults;

import dev.cohort.cli.Ports;
import dev.cohort.cli.json.Json;
import dev.cohort.tomcat.admin.AdminAuth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code cohort node} process from the built jar, on 127.0.0.1 (or inside a network namespace
 * when {@code prefix} is {@code ip netns exec NS}); output goes to {@code target/faults/<name>/}.
 */
final class NodeProcess implements AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final String name;
  final String url;
  final Path log;
  final Process process;
  private final String adminUrl;
  private final AdminAuth signer;

  private NodeProcess(
      String name, String url, String adminUrl, AdminAuth signer, Path log, Process process) {
    this.name = name;
    this.url = url;
    this.adminUrl = adminUrl;
    this.signer = signer;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts a node; {@code secret} null: none (the environment variable is removed, so a value in
   * the test's environment cannot leak in). With a secret, {@link #status} reads are signed with
   * it; without one, the node gets an admin connector on a free loopback port and they go there.
   */
  static NodeProcess start(
      String run,
      List<String> prefix,
      String name,
      String host,
      int httpPort,
      String secret,
      String... args)
      throws IOException {
    Path log = Cohort.dir(run).resolve(name + ".log");
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(Cohort.java());
    cmd.addAll(List.of("node", "--name", name, "--http-port", Integer.toString(httpPort)));
    String adminUrl = "http://" + host + ":" + httpPort;
    if (secret == null) {
      int adminPort = Ports.free();
      cmd.addAll(List.of("--admin-port", Integer.toString(adminPort)));
      adminUrl = "http://127.0.0.1:" + adminPort;
    }
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    Map<String, String> env = pb.environment();
    env.remove("COHORT_SECRET");
    if (secret != null) {
      env.put("COHORT_SECRET", secret);
    }
    return new NodeProcess(
        name,
        "http://" + host + ":" + httpPort,
        adminUrl,
        secret == null ? null : AdminAuth.of(secret),
        log,
        pb.start());
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  boolean healthy() {
    return get("/cohort/health", null).statusCode() == 200;
  }

  /** /cohort/status as JSON; an empty map when the node did not answer. */
  Map<String, Object> status() {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(adminUrl + "/cohort/status"))
            .timeout(Duration.ofSeconds(20));
    if (signer != null) {
      signer.sign("GET", "/cohort/status", null).forEach(b::header);
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 401) {
        throw new IllegalStateException("/cohort/status of " + name + " refused: " + r.body());
      }
      return r.statusCode() == 200 ? Json.object(r.body()) : Map.of();
    } catch (IOException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  int members() {
    return status().get("members") instanceof List<?> l ? l.size() : 0;
  }

  /** A figure of the first engine's replication block, -1 when absent. */
  long replication(String figure) {
    if (status().get("engines") instanceof List<?> engines
        && !engines.isEmpty()
        && engines.get(0) instanceof Map<?, ?> e
        && e.get("replication") instanceof Map<?, ?> r) {
      @SuppressWarnings("unchecked")
      Map<String, Object> rep = (Map<String, Object>) r;
      return Json.num(rep, figure, -1);
    }
    return -1;
  }

  long total(String figure) {
    if (status().get("totals") instanceof Map<?, ?> t) {
      @SuppressWarnings("unchecked")
      Map<String, Object> totals = (Map<String, Object>) t;
      return Json.num(totals, figure, -1);
    }
    return -1;
  }

  record Answer(int statusCode, String body, String cookie) {}

  /** A GET with an optional cookie; status -1 when the node did not answer. */
  Answer get(String path, String cookie) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String set =
          r.headers().allValues("Set-Cookie").stream()
              .filter(c -> c.startsWith("JSESSIONID="))
              .map(c -> c.split(";", 2)[0])
              .findFirst()
              .orElse(cookie);
      return new Answer(r.statusCode(), r.body(), set);
    } catch (IOException e) {
      return new Answer(-1, e.toString(), cookie);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "interrupted", cookie);
    }
  }

  /** SIGTERM, then SIGKILL after 20 s; waits for the process. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
