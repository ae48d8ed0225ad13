package dev.cohort.cli.farm;

import dev.cohort.cli.Durations;
import dev.cohort.cli.admin.AdminClient;
import dev.cohort.cli.admin.SecretOption;
import dev.cohort.cli.json.Json;
import dev.cohort.tomcat.admin.AdminAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cohort farm deploy|list|undeploy}: the farm of a running cluster, through one node's
 * {@code /cohort/farm} (docs/farm.md). Exit 0 when every node did what was asked, 1 when a node
 * refused or failed (its reason is printed), 2 for bad usage.
 */
@Command(
    name = "farm",
    mixinStandardHelpOptions = true,
    description = {
      "Deploys WARs on every node of a cluster whose nodes run with --farm-dir.",
      "",
      "The command talks to one node (--node); that node streams the WAR to the others."
    },
    subcommands = {
      FarmCommand.Deploy.class,
      FarmCommand.ListApps.class,
      FarmCommand.Undeploy.class
    })
public final class FarmCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand has. */
  static class NodeOption {
    @Option(
        names = "--node",
        defaultValue = "http://127.0.0.1:8080",
        description = "base URL of any node of the cluster (default http://127.0.0.1:8080)")
    String node;

    @Mixin SecretOption secret = new SecretOption();

    /** A client that signs with the secret, which changes to the farm require. */
    AdminClient signingClient() {
      AdminClient.baseUrl(node, "--node");
      String s = secret.secret();
      if (s == null) {
        throw new IllegalArgumentException(
            "--secret-file: required — deploying and undeploying are signed with the cluster"
                + " secret; give --secret-file FILE (or set "
                + SecretOption.ENV
                + ") with the secret the nodes run with");
      }
      return new AdminClient(node, "--node", AdminAuth.of(s));
    }

    /** A client that signs when a secret is known (reads also answer on the admin connector). */
    AdminClient client() {
      return new AdminClient(node, "--node", AdminClient.signer(secret.secret()));
    }
  }

  @Command(
      name = "deploy",
      mixinStandardHelpOptions = true,
      description = "Uploads FILE.war to a node, which rolls it out to every node.")
  static final class Deploy extends NodeOption implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.war", description = "the WAR to deploy")
    Path file;

    @Option(
        names = "--name",
        description = "application name = context path (default: the file name without .war)")
    String name;

    @Option(
        names = "--timeout",
        defaultValue = "5m",
        description = "how long to wait for the rollout (default 5m)")
    String timeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new IllegalArgumentException("FILE.war: '" + file + "' is not a readable file");
      }
      String fileName = file.getFileName().toString();
      String app = name != null ? name : fileName.replaceFirst("(?i)\\.war$", "");
      if (!app.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}") || app.endsWith(".war")) {
        throw new IllegalArgumentException(
            (name != null ? "--name" : "FILE.war")
                + ": '"
                + app
                + "' is not an application name (1-64 letters, digits, '.', '_', '-')");
      }
      Duration wait = Durations.positive("--timeout", timeout, "ms");
      AdminClient client = signingClient();
      long size = Files.size(file);
      String sha = sha256(file);
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder()
                  .header("X-Cohort-Length", Long.toString(size))
                  .header("Content-Type", "application/java-archive")
                  .PUT(HttpRequest.BodyPublishers.ofFile(file)),
              "PUT",
              "/cohort/farm/" + app,
              sha,
              wait);
      if (r.statusCode() != 200) {
        return refused(client, r, "deploy " + app);
      }
      return printRollout(System.out, Json.object(r.body())) ? 0 : 1;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the farmed applications and their state on every node.")
  static final class ListApps extends NodeOption implements Callable<Integer> {
    @Override
    public Integer call() throws IOException, InterruptedException {
      AdminClient client = client();
      HttpResponse<String> r = client.get("/cohort/farm", Duration.ofSeconds(30));
      if (r.statusCode() != 200) {
        return refused(client, r, "list");
      }
      printList(System.out, Json.object(r.body()));
      return 0;
    }
  }

  @Command(
      name = "undeploy",
      mixinStandardHelpOptions = true,
      description = "Undeploys an application from every node.")
  static final class Undeploy extends NodeOption implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "the application name")
    String name;

    @Override
    public Integer call() throws IOException, InterruptedException {
      AdminClient client = signingClient();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder().DELETE(),
              "DELETE",
              "/cohort/farm/" + name,
              null,
              Duration.ofMinutes(5));
      if (r.statusCode() != 200) {
        return refused(client, r, "undeploy " + name);
      }
      return printRollout(System.out, Json.object(r.body())) ? 0 : 1;
    }
  }

  private static int refused(AdminClient client, HttpResponse<String> r, String what) {
    String body = r.body() == null ? "" : r.body().strip();
    if (r.statusCode() == 404 && body.startsWith("not found: /cohort/")) {
      body += " (is the node started with --farm-dir?)";
    }
    if (r.statusCode() == 401) {
      body += " (" + client.unauthorizedHint() + ")";
    }
    System.err.println(
        "cohort farm "
            + what
            + " failed at "
            + client.base()
            + ": HTTP "
            + r.statusCode()
            + (body.isEmpty() ? "" : " — " + body.replaceAll("\\s*[\\r\\n]+\\s*", " ")));
    return 1;
  }

  /** Prints each node's answer; true when all succeeded. */
  @SuppressWarnings("unchecked")
  static boolean printRollout(PrintStream out, Map<String, Object> r) {
    boolean ok = Boolean.TRUE.equals(r.get("ok"));
    Object sha = r.get("sha256");
    out.printf(
        Locale.ROOT,
        "%s version %s%s: %s%n",
        r.get("name"),
        r.get("version"),
        sha instanceof String s ? " (sha256 " + s.substring(0, 12) + ")" : "",
        ok ? "done on every node" : "NOT done everywhere");
    Map<String, Object> nodes =
        r.get("nodes") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    for (Map.Entry<String, Object> e : nodes.entrySet()) {
      Map<String, Object> n = (Map<String, Object>) e.getValue();
      out.printf(
          Locale.ROOT,
          "  %-12s %s %s%n",
          e.getKey(),
          Boolean.TRUE.equals(n.get("ok")) ? "ok    " : "FAILED",
          n.get("detail"));
    }
    return ok;
  }

  @SuppressWarnings("unchecked")
  static void printList(PrintStream out, Map<String, Object> s) {
    List<Object> apps = s.get("apps") instanceof List<?> l ? (List<Object>) l : List.of();
    out.printf(
        Locale.ROOT,
        "farm of node %s (%s): %d application(s)%n",
        s.get("node"),
        Boolean.TRUE.equals(s.get("ready")) ? "ready" : "NOT READY",
        apps.stream()
            .filter(a -> !Boolean.TRUE.equals(((Map<String, Object>) a).get("removed")))
            .count());
    for (Object o : apps) {
      Map<String, Object> a = (Map<String, Object>) o;
      if (Boolean.TRUE.equals(a.get("removed"))) {
        continue;
      }
      out.printf(
          Locale.ROOT,
          "%s  version %s  sha256 %s  %d bytes%n",
          a.get("name"),
          a.get("version"),
          String.valueOf(a.get("sha256")).substring(0, 12),
          Json.num(a, "size", 0));
      Map<String, Object> nodes =
          a.get("nodes") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
      for (Map.Entry<String, Object> e : nodes.entrySet()) {
        Map<String, Object> n = (Map<String, Object>) e.getValue();
        out.printf(
            Locale.ROOT,
            "  %-12s %-8s running %s%s%n",
            e.getKey(),
            n.get("state"),
            n.get("running") == null ? "-" : n.get("running"),
            n.get("error") == null ? "" : " — " + n.get("error"));
      }
    }
    if (s.get("unreachable") instanceof List<?> u && !u.isEmpty()) {
      out.println("unreachable: " + u);
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
