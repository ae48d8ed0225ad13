package dev.cohort.tomcat.admin;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.tomcat.farm.FarmDeployer;
import dev.cohort.tomcat.farm.FarmHttp;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.JMException;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Answers the operator endpoints of one node, ahead of every webapp (install it in the Engine's
 * pipeline); every other request goes on down the pipeline untouched.
 *
 * <ul>
 *   <li>{@code GET /cohort/health}: 200 when every engine {@link SessionEngine#isReady() is ready},
 *       503 otherwise (for load balancers).
 *   <li>{@code GET /cohort/status}: JSON with the node, the view, and per engine the sessions owned
 *       / replicated / unprotected, held bytes, replication counters, ack latency and state
 *       transfer progress.
 *   <li>{@code GET /cohort/}: the same as a page that refreshes itself, with the recent membership
 *       changes.
 *   <li>{@code GET /cohort/metrics}: the same figures as Prometheus text (Micrometer).
 * </ul>
 *
 * The same figures are registered as the MXBean {@code dev.cohort:type=Node,node=<name>} while the
 * valve is started. Nothing it shows identifies a session, an attribute value or a principal.
 *
 * <p>Who may do what: health answers everyone (balancers and probes need it). Status, page, metrics
 * and the farm's catalogue answer on the admin connector (the connector whose local port is {@link
 * #setAdminPort(int)}; bind it to loopback or a management network) and to requests signed with the
 * cluster secret ({@link AdminAuth}) on any connector; anyone else gets 401. Requests that change
 * the cluster (the farm's PUT and DELETE) must be signed wherever they arrive, the admin connector
 * included. A request with a bad signature is refused and counted, never served as unsigned.
 * Nothing is trusted for the client's address. To disable the endpoints, do not install the valve.
 *
 * <p>Thread-safe; a background daemon thread samples the views once a second while the valve is
 * started so that the page can list membership changes.
 */
public final class AdminValve extends ValveBase {
  private static final Log log = LogFactory.getLog(AdminValve.class);

  private final String nodeName;
  private final AdminEndpoints endpoints;
  private final AtomicLong samplingFailures = new AtomicLong();
  private volatile int adminPort;
  private volatile FarmDeployer farm;
  private volatile FarmHttp farmHttp;
  private volatile AdminAuth auth;
  private ScheduledExecutorService sampler;

  /**
   * @param engines the node's engines, one per distributable context; read on every request, so it
   *     may change as contexts start and stop
   * @param nodeName the node's name (the Engine's jvmRoute)
   */
  public AdminValve(Supplier<Collection<SessionEngine>> engines, String nodeName) {
    this(engines, nodeName, Clock.systemUTC());
  }

  AdminValve(Supplier<Collection<SessionEngine>> engines, String nodeName, Clock clock) {
    super(true);
    if (engines == null) {
      throw new IllegalArgumentException("engines: null — pass the cluster's engine supplier");
    }
    this.nodeName = nodeName;
    this.endpoints = new AdminEndpoints(engines, nodeName, clock);
  }

  /**
   * Confines status, page and metrics to the connector whose local port is {@code port} (0, the
   * default, answers on every connector).
   */
  public void setAdminPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("adminPort: " + port + " is not between 0 and 65535");
    }
    this.adminPort = port;
  }

  public int getAdminPort() {
    return adminPort;
  }

  public String getNodeName() {
    return nodeName;
  }

  /**
   * Serves {@code /cohort/farm} from {@code farm} (same protections as status) and keeps health at
   * 503 until the farm is ready.
   */
  public void setFarm(FarmDeployer farm) {
    this.farm = farm;
    this.farmHttp = farm == null ? null : new FarmHttp(farm);
  }

  /**
   * Checks signed requests with the admin key of {@code secret} (null: this node has no secret, so
   * nothing that needs a signature is accepted).
   */
  public void setSecret(String secret) {
    this.auth = secret == null || secret.isEmpty() ? null : AdminAuth.of(secret);
  }

  /** Admin requests refused for a missing or bad signature since start. */
  public long refusedRequests() {
    return endpoints.refusedCount();
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    String path = request.getDecodedRequestURI();
    if (path == null || !AdminEndpoints.isAdminPath(path)) {
      getNext().invoke(request, response);
      return;
    }
    String method = request.getMethod();
    boolean read = "GET".equals(method) || "HEAD".equals(method);
    boolean signed = AdminAuth.isSigned(request::getHeader);
    if (signed) {
      String why = verify(request);
      if (why != null) {
        refuse(request, response, "signature refused: " + why + "\n");
        return;
      }
    }
    boolean health = path.equals(AdminEndpoints.HEALTH);
    int port = adminPort;
    boolean onAdminPort = port > 0 && request.getLocalPort() == port;
    if (!read && !signed) {
      refuse(
          request,
          response,
          "unauthorized: "
              + method
              + " "
              + path
              + " changes the cluster and must be signed with the cluster secret (cohort farm"
              + " deploy signs its requests)\n");
      return;
    }
    if (!health && !signed && !onAdminPort) {
      refuse(
          request,
          response,
          "unauthorized: "
              + path
              + " is served on the admin connector"
              + (port > 0 ? " (port " + port + ")" : " (none is configured: set adminPort)")
              + " or to requests signed with the cluster secret (cohort status signs them)\n");
      return;
    }
    FarmHttp fh = farmHttp;
    if (fh != null && FarmHttp.isFarmPath(path)) {
      fh.serve(path, request, response);
      return;
    }
    FarmDeployer f = farm;
    if (f != null && !f.isReady() && health) {
      write(
          request,
          response,
          AdminEndpoints.Reply.of(
              503, AdminEndpoints.TEXT, "not ready: fetching farm applications\n"));
      return;
    }
    if (!read) {
      response.setHeader("Allow", "GET, HEAD");
      write(
          request,
          response,
          AdminEndpoints.Reply.of(405, AdminEndpoints.TEXT, "method not allowed: use GET\n"));
      return;
    }
    write(request, response, endpoints.answer(path));
  }

  /** Null when the request's signature holds, else why not. */
  private String verify(Request request) {
    AdminAuth a = auth;
    if (a == null) {
      return "this node has no cluster secret, so it cannot check signatures — set the secret";
    }
    String query = request.getQueryString();
    String target = request.getRequestURI() + (query == null ? "" : "?" + query);
    String te = request.getHeader("Transfer-Encoding");
    boolean hasBody = request.getContentLengthLong() > 0 || (te != null && !te.isBlank());
    return a.verify(request.getMethod(), target, request::getHeader, hasBody);
  }

  private void refuse(Request request, Response response, String text) throws IOException {
    endpoints.refused();
    response.setHeader("WWW-Authenticate", "Cohort-HMAC-SHA256");
    write(request, response, AdminEndpoints.Reply.of(401, AdminEndpoints.TEXT, text));
  }

  private static void write(Request request, Response response, AdminEndpoints.Reply reply)
      throws IOException {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    response.setStatus(reply.status());
    response.setContentType(reply.contentType());
    response.setHeader("Cache-Control", "no-store");
    if (reply.location() != null) {
      response.setHeader("Location", reply.location());
    }
    response.setContentLength(body.length);
    if (!"HEAD".equals(request.getMethod())) {
      response.getOutputStream().write(body);
    }
  }

  @Override
  protected synchronized void startInternal() throws LifecycleException {
    try {
      endpoints.mbean().register();
    } catch (JMException e) {
      throw new LifecycleException(
          "registering the Cohort MBean failed [node "
              + nodeName
              + "]: "
              + e
              + " — check the JMX permissions of this JVM",
          e);
    }
    sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cohort-admin-" + nodeName);
              t.setDaemon(true);
              return t;
            });
    sampler.scheduleWithFixedDelay(this::sample, 0, 1, TimeUnit.SECONDS);
    super.startInternal();
  }

  private void sample() {
    try {
      endpoints.read();
    } catch (RuntimeException e) {
      // top boundary of the sampling thread: an engine that is stopping may refuse to answer
      if (samplingFailures.incrementAndGet() == 1) {
        log.warn(
            "reading the engines for the status page failed [node "
                + nodeName
                + "]: "
                + e
                + " — the page may miss membership changes; further failures are counted only");
      }
    }
  }

  @Override
  protected synchronized void stopInternal() throws LifecycleException {
    super.stopInternal();
    if (sampler != null) {
      sampler.shutdownNow();
      sampler = null;
    }
    try {
      endpoints.mbean().unregister();
    } catch (JMException e) {
      log.warn(
          "unregistering the Cohort MBean failed [node " + nodeName + "]: " + e + " — ignored");
    }
  }

  /** Times the engines could not be read by the background sampler (for tests and the page). */
  long samplingFailures() {
    return samplingFailures.get();
  }

  AdminEndpoints endpoints() {
    return endpoints;
  }
}
