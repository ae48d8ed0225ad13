package dev.cohort.balancer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The Cohort HTTP load balancer: a streaming HTTP/1.1 reverse proxy that keeps each user on the
 * node named by the route suffix of their session id, spreads new users by {@link Policy}, checks
 * the nodes' health and fails over (see the package documentation for the pipeline and the rules).
 *
 * <p>Lifecycle: construct (nothing runs), {@link #start()} (binds; throws if the address is taken),
 * {@link #close()} (stops accepting, closes every connection, stops the threads; idempotent). A
 * balancer cannot be restarted after close.
 *
 * <p>Threading: all methods are thread-safe. The balancer runs one acceptor thread and one event
 * loop per CPU; a client connection and its backend connections share one loop.
 */
public final class Balancer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Balancer.class.getName());

  /** System property: number of event-loop threads (default: one per CPU). */
  public static final String IO_THREADS_PROPERTY = "cohort.balancer.ioThreads";

  private final BalancerConfig config;
  private final Stats stats = new Stats();
  private final List<BackendState> backends;
  private final ProxyContext proxy;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private HealthChecker health;
  private final ConnectionLimits limits;
  private Channel server;
  private Channel adminServer;
  private volatile int port = -1;
  private volatile int adminPort = -1;
  private boolean closed;

  /** Creates a stopped balancer for a validated configuration. */
  public Balancer(BalancerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    List<BackendState> list = new ArrayList<>();
    for (Backend b : config.backends()) {
      list.add(new BackendState(b, list.size(), config.rise(), config.fall()));
    }
    this.backends = List.copyOf(list);
    this.proxy = new ProxyContext(config, backends, stats);
    this.limits = new ConnectionLimits(config, proxy.trusted, stats);
  }

  /**
   * Binds {@code bindAddress:port} (port 0 picks a free one) and starts proxying and health
   * checking. Every backend counts as up until {@code fall} checks fail or a connect fails.
   *
   * @throws IllegalStateException when the address cannot be bound, or when already started
   */
  public synchronized void start() {
    if (server != null || closed) {
      throw new IllegalStateException(
          "balancer start: already " + (closed ? "closed" : "started") + " — create a new one");
    }
    int threads = ioThreads();
    boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("cohort-balancer-accept"), NioIoHandler.newFactory());
    workers =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("cohort-balancer"), NioIoHandler.newFactory());
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, ProxyContext.READS)
            .childOption(ChannelOption.ALLOCATOR, ProxyContext.BUFFERS)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (limits.admit(ch)) {
                      proxy.initClient(ch);
                    }
                  }
                });
    ChannelFuture bind = sb.bind(config.bindAddress(), config.port()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      shutdownGroups();
      throw new IllegalStateException(
          "balancer start ["
              + config.bindAddress()
              + ":"
              + config.port()
              + "]: cannot listen: "
              + bind.cause().getMessage()
              + " — choose another --port or --bind, or stop what uses it",
          bind.cause());
    }
    server = bind.channel();
    port = ((InetSocketAddress) server.localAddress()).getPort();
    if (config.adminPort() >= 0) {
      bindAdmin();
    }
    health = new HealthChecker(config, backends, workers);
    health.start();
    LOG.log(
        System.Logger.Level.INFO,
        "balancer listening on {0}:{1} in front of {2} backends, policy {3}, health check {4}",
        config.bindAddress(),
        String.valueOf(port),
        backends.size(),
        config.policy().option(),
        config.healthCheck());
    if (adminServer != null) {
      LOG.log(
          System.Logger.Level.INFO,
          "balancer status page on http://{0}:{1}/balancer/status",
          config.adminBindAddress(),
          String.valueOf(adminPort));
    }
    if (config.forwardAdminPaths()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "forward-admin-paths is on: /cohort/* (the nodes' admin and farm endpoints) is forwarded"
              + " to the nodes for every client that reaches port {0} — turn it off unless a"
              + " firewall keeps everyone else out",
          String.valueOf(port));
    }
    if (config.statusOnPublicPort()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "status-on-public-port is on: /balancer/status (backend addresses, figures) answers"
              + " every client that reaches port {0}",
          String.valueOf(port));
    }
  }

  private void bindAdmin() {
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(new AdminListener(proxy));
    ChannelFuture bind =
        sb.bind(config.adminBindAddress(), config.adminPort()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      server.close().awaitUninterruptibly();
      server = null;
      port = -1;
      shutdownGroups();
      throw new IllegalStateException(
          "balancer start [admin "
              + config.adminBindAddress()
              + ":"
              + config.adminPort()
              + "]: cannot listen: "
              + bind.cause().getMessage()
              + " — choose another --admin-port or --admin-bind (-1 for none), or stop what"
              + " uses it",
          bind.cause());
    }
    adminServer = bind.channel();
    adminPort = ((InetSocketAddress) adminServer.localAddress()).getPort();
  }

  /**
   * Event-loop threads: one per CPU, or the system property {@value #IO_THREADS_PROPERTY}.
   *
   * @throws IllegalArgumentException naming the property when it is not a number from 1 to 256
   */
  static int ioThreads() {
    String v = System.getProperty(IO_THREADS_PROPERTY);
    if (v == null) {
      return Math.max(1, Runtime.getRuntime().availableProcessors());
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= 256) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        IO_THREADS_PROPERTY + ": '" + v + "' — use a whole number of threads from 1 to 256");
  }

  /**
   * The port the balancer listens on (the chosen one when configured with 0).
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public int port() {
    int p = port;
    if (p < 0) {
      throw new IllegalStateException("balancer port: not started — call start() first");
    }
    return p;
  }

  /**
   * The port of the admin listener that serves the status pages (the chosen one when configured
   * with 0).
   *
   * @throws IllegalStateException before {@link #start()}, or when admin-port is -1 (none)
   */
  public int adminPort() {
    int p = adminPort;
    if (p < 0) {
      throw new IllegalStateException(
          "balancer admin port: "
              + (port < 0 ? "not started — call start() first" : "none (admin-port is -1)"));
    }
    return p;
  }

  /**
   * Puts a backend in or out of drain: a draining backend gets no new sessions and no sticky
   * fall-back users, but still serves the sessions whose route names it.
   *
   * @throws IllegalArgumentException starting with {@code "drain: "} for an unknown route
   */
  public void drain(String route, boolean draining) {
    BackendState b = proxy.router.byRoute(route);
    if (b == null) {
      throw new IllegalArgumentException(
          "drain: unknown route '" + route + "' — known routes: " + routes());
    }
    b.draining(draining);
    LOG.log(
        System.Logger.Level.INFO,
        "backend {0} {1}",
        route,
        draining ? "is draining: no new sessions" : "takes new sessions again");
  }

  /** The configuration this balancer runs with. */
  public BalancerConfig config() {
    return config;
  }

  /** The status document served at {@code /balancer/status?format=json}. */
  public String statusJson() {
    return proxy.admin.json();
  }

  private List<String> routes() {
    List<String> r = new ArrayList<>();
    for (BackendState b : backends) {
      r.add(b.backend.route());
    }
    return r;
  }

  /** Stops listening, closes every connection and stops the threads. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (health != null) {
      health.close();
    }
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    if (adminServer != null) {
      adminServer.close().awaitUninterruptibly();
    }
    shutdownGroups();
  }

  private void shutdownGroups() {
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (boss != null) {
      boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
