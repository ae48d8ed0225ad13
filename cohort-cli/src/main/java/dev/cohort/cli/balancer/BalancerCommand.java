package dev.cohort.cli.balancer;

import dev.cohort.balancer.Backend;
import dev.cohort.balancer.Balancer;
import dev.cohort.balancer.BalancerConfig;
import dev.cohort.balancer.HealthCheck;
import dev.cohort.balancer.Policy;
import dev.cohort.cli.Durations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cohort balancer}: the sticky HTTP load balancer in front of the nodes. */
@Command(
    name = "balancer",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the sticky HTTP load balancer in front of the nodes.",
      "",
      "Sticky by the session id's .route suffix, health checks (GET /cohort/health by default;"
          + " see --health-check), fail-over to a healthy node when a node dies. The status pages"
          + " are on the admin port (127.0.0.1:8079); the nodes' /cohort/ pages other than"
          + " /cohort/health are not forwarded.",
      "",
      "Every option can also come from --config FILE (keys = long option names without dashes,"
          + " e.g. health-check=tcp)."
    })
public final class BalancerCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "8080", description = "listen port (default 8080)")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "listen address")
  String bind;

  @Option(
      names = "--backend",
      required = true,
      split = ",",
      description = "route=http://host:port[;weight=N], repeatable, e.g. n1=http://127.0.0.1:8081")
  List<String> backends;

  @Option(
      names = "--policy",
      defaultValue = "round-robin",
      description = "round-robin | random | weighted | least-connections")
  String policy;

  @Option(names = "--health-interval", defaultValue = "1s", description = "default 1s")
  String healthInterval;

  // no defaultValue on these three: null means "not given", so that a path or status given with
  // --health-check tcp or none is refused instead of ignored
  @Option(
      names = "--health-check",
      description =
          "http (GET --health-path, status in --health-status; default) | tcp (a connect) | none"
              + " (no probe; a backend whose connect failed is skipped for --health-interval)")
  String healthCheck;

  @Option(names = "--health-path", description = "path of the http check (default /cohort/health)")
  String healthPath;

  @Option(
      names = "--health-status",
      description = "statuses that pass the http check: codes, ranges, classes (default 200-399)")
  String healthStatus;

  @Option(names = "--rise", defaultValue = "2", description = "checks passed to come up")
  int rise;

  @Option(names = "--fall", defaultValue = "2", description = "checks failed to go down")
  int fall;

  @Option(names = "--connect-timeout", defaultValue = "1s", description = "default 1s")
  String connectTimeout;

  @Option(names = "--response-timeout", defaultValue = "30s", description = "default 30s")
  String responseTimeout;

  @Option(names = "--max-header-bytes", defaultValue = "16384", description = "default 16384")
  int maxHeaderBytes;

  @Option(names = "--max-connections", defaultValue = "10000", description = "default 10000")
  int maxConnections;

  @Option(
      names = "--max-connections-per-ip",
      defaultValue = "256",
      description = "client connections from one address (default 256; trusted proxies exempt)")
  int maxConnectionsPerIp;

  @Option(
      names = "--header-timeout",
      defaultValue = "10s",
      description = "a request head must arrive within this, else 408 (default 10s)")
  String headerTimeout;

  @Option(
      names = "--body-timeout",
      defaultValue = "30s",
      description = "longest pause inside a request body, else 408 (default 30s)")
  String bodyTimeout;

  @Option(
      names = "--keep-alive-timeout",
      defaultValue = "60s",
      description = "idle time between two requests before the close (default 60s)")
  String keepAliveTimeout;

  @Option(
      names = "--trusted-proxy",
      split = ",",
      description =
          "address or CIDR of a proxy in front whose X-Forwarded-* headers are kept, repeatable"
              + " (default: none — every client's are replaced)")
  List<String> trustedProxies = new ArrayList<>();

  @Option(
      names = "--admin-port",
      defaultValue = "8079",
      description = "port of the status pages (default 8079; 0 = a free one, -1 = none)")
  int adminPort;

  @Option(
      names = "--admin-bind",
      defaultValue = "127.0.0.1",
      description = "address of the status pages (default 127.0.0.1)")
  String adminBind;

  @Option(
      names = "--forward-admin-paths",
      description =
          "UNSAFE: forward the nodes' /cohort/ pages (admin, farm) to anyone who reaches --port")
  boolean forwardAdminPaths;

  @Option(
      names = "--status-on-public-port",
      description = "UNSAFE: also serve /balancer/status (backend addresses) on --port")
  boolean statusOnPublicPort;

  @Option(names = "--config", description = "properties file with any of these options")
  Path config;

  @Override
  public Integer call() throws Exception {
    BalancerConfig cfg = config();
    Balancer balancer = new Balancer(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  balancer.close();
                  stopped.countDown();
                },
                "cohort-balancer-stop"));
    try {
      balancer.start();
    } catch (IllegalStateException e) {
      String option =
          String.valueOf(e.getMessage()).contains("[admin ") ? "--admin-port" : "--port";
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
    System.out.println(
        "Cohort balancer ready: http://"
            + bind
            + ":"
            + balancer.port()
            + "/ -> "
            + cfg.backends().size()
            + " backends ("
            + cfg.policy().option()
            + ")"
            + (cfg.adminPort() < 0
                ? ""
                : "; status page http://"
                    + adminBind
                    + ":"
                    + balancer.adminPort()
                    + "/balancer/status"));
    System.out.flush();
    stopped.await();
    return 0;
  }

  BalancerConfig config() {
    try {
      List<Backend> list = new ArrayList<>();
      for (String b : backends) {
        list.add(Backend.parse(b.trim()));
      }
      return new BalancerConfig(
          bind,
          port,
          list,
          Policy.parse(policy),
          Durations.positive("--health-interval", healthInterval, "ms"),
          HealthCheck.parse(healthCheck, healthPath, healthStatus),
          rise,
          fall,
          Durations.positive("--connect-timeout", connectTimeout, "ms"),
          Durations.positive("--response-timeout", responseTimeout, "ms"),
          maxHeaderBytes,
          maxConnections,
          Durations.positive("--header-timeout", headerTimeout, "s"),
          Durations.positive("--body-timeout", bodyTimeout, "s"),
          Durations.positive("--keep-alive-timeout", keepAliveTimeout, "s"),
          maxConnectionsPerIp,
          trustedProxies == null ? List.of() : trustedProxies.stream().map(String::trim).toList(),
          forwardAdminPaths,
          adminBind,
          adminPort,
          statusOnPublicPort);
    } catch (IllegalArgumentException e) {
      String m = String.valueOf(e.getMessage());
      throw new IllegalArgumentException(m.startsWith("--") ? m : "--" + m, e);
    }
  }
}
