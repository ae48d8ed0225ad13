package dev.cohort.cli.farm;

import dev.cohort.cli.Ports;
import dev.cohort.tomcat.admin.AdminAuth;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code cohort} jar as processes: farm nodes ({@code cohort node --farm-dir}) and {@code
 * cohort farm} commands. Every process started here is stopped by {@link #close()}.
 */
final class FarmProcesses implements AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final List<Process> started = new CopyOnWriteArrayList<>();
  private final Path logs;
  final String cluster = "farm-cli-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  final List<Integer> clusterPorts;
  final List<Integer> httpPorts;

  /** The cluster secret, in a file only this user may read (as an operator keeps it). */
  final Path secretFile;

  final AdminAuth signer;

  FarmProcesses(int nodes) throws IOException {
    this.logs = Path.of(System.getProperty("cohort.target", "target"));
    Files.createDirectories(logs);
    String secret = "farm-cli-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-s";
    secretFile = Files.createTempFile(logs, "farm-secret-", "");
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(secretFile, secret + "\n");
    signer = AdminAuth.of(secret);
    Set<Integer> taken = new HashSet<>();
    clusterPorts = new ArrayList<>();
    httpPorts = new ArrayList<>();
    for (int attempt = 0; clusterPorts.size() < nodes && attempt < 2000; attempt++) {
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
        clusterPorts.add(p);
      }
    }
    while (httpPorts.size() < nodes) {
      int p = Ports.free();
      if (taken.add(p)) {
        httpPorts.add(p);
      }
    }
  }

  static Path jar() {
    String jar = System.getProperty("cohort.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "the shaded jar is missing (" + jar + "): run the ITs with 'mvn verify' (package first)");
    }
    return Path.of(jar);
  }

  /** Starts node {@code i} (0-based) as n{i+1}, farming {@code farmDir}. */
  Process node(int i, Path farmDir) throws IOException {
    StringBuilder members = new StringBuilder();
    for (int p : clusterPorts) {
      members.append(members.length() == 0 ? "" : ",").append("127.0.0.1:").append(p);
    }
    return start(
        "farm-n" + (i + 1),
        "node",
        "--name",
        "n" + (i + 1),
        "--http-port",
        Integer.toString(httpPorts.get(i)),
        "--cluster-port",
        Integer.toString(clusterPorts.get(i)),
        "--port-range",
        "0",
        "--members",
        members.toString(),
        "--cluster-name",
        cluster,
        "--allowed-classes",
        "dev.cohort.cli.farm.app.*",
        "--farm-dir",
        farmDir.toString(),
        "--secret-file",
        secretFile.toString());
  }

  /** Runs {@code cohort farm ARGS --secret-file F} to its end; returns exit code and output. */
  Run farm(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--secret-file", secretFile.toString()));
    return farmAsIs(all.toArray(String[]::new));
  }

  /** Runs {@code cohort farm ARGS} (no secret added) to its end. */
  Run farmAsIs(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("farm"));
    all.addAll(List.of(args));
    Process p = start("farm-cli", all.toArray(String[]::new));
    List<String> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.add(line);
      }
    }
    if (!p.waitFor(150, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("cohort farm " + String.join(" ", args) + " did not end");
    }
    String err = Files.readString(logs.resolve("farm-cli-stderr.log"));
    return new Run(p.exitValue(), String.join("\n", out), err);
  }

  record Run(int exit, String out, String err) {}

  private Process start(String logName, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder b =
        new ProcessBuilder(cmd)
            .redirectError(
                ProcessBuilder.Redirect.to(logs.resolve(logName + "-stderr.log").toFile()));
    b.environment().remove("COHORT_SECRET");
    if (!logName.equals("farm-cli")) {
      b.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    Process p = b.start();
    started.add(p);
    return p;
  }

  String url(int i) {
    return "http://127.0.0.1:" + httpPorts.get(i);
  }

  /** One GET's body; fails the test unless the answer is 200. */
  String body(int i, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url(i) + path))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " on n" + (i + 1) + ": HTTP " + r.statusCode());
    }
    return r.body();
  }

  /** One GET; {@code key=value} lines become fields, plus "status" and "cookie". */
  Map<String, String> get(int i, String path, String sessionId)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(i) + path)).timeout(Duration.ofSeconds(30));
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
    fields.put("body", r.body());
    r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("JSESSIONID="))
        .findFirst()
        .ifPresent(c -> fields.put("cookie", c.substring(11, c.indexOf(';'))));
    return fields;
  }

  /** Stops every process: SIGTERM (the nodes drain), then SIGKILL after 20 s. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : started) {
      p.destroy();
    }
    for (Process p : started) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
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
