package dev.cohort.cli.demo;

import dev.cohort.cli.admin.AdminClient;
import dev.cohort.cli.json.Json;
import dev.cohort.tomcat.admin.AdminAuth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The node processes {@code cohort chaos} breaks and brings back: its own {@link DemoCluster}, or
 * the nodes of a running demo given by pid.
 */
public interface Nodes {
  int size();

  /** The node's name (its jvmRoute). */
  String name(int i);

  /** The node's base URL, e.g. {@code http://127.0.0.1:8081}. */
  String url(int i);

  /**
   * Where the node's {@code /cohort/status} answers: its admin connector, or {@link #url} when the
   * reads are signed ({@link #signer}).
   */
  default String adminUrl(int i) {
    return url(i);
  }

  /** Signs status reads with the cluster secret; null when the admin connector needs none. */
  default AdminAuth signer() {
    return null;
  }

  /** SIGKILL: a crash, no drain. Returns once the process is gone. */
  void kill(int i) throws InterruptedException;

  /** SIGTERM (the node drains), bounded; true when it exited by itself. */
  boolean stop(int i) throws InterruptedException;

  /** Starts the node again with the command line it had. */
  void restart(int i) throws IOException;

  boolean isAlive(int i);

  /** GET /cohort/health answered 200. */
  default boolean healthy(int i) {
    return Probe.status(url(i) + "/cohort/health") == 200;
  }

  /** Members in the node's view per /cohort/status (0 when it has none or did not answer). */
  default int members(int i) {
    return Probe.members(adminUrl(i), signer());
  }

  /** Waits until node i is healthy; fails when it died or the deadline passed. */
  default void awaitHealthy(int i, long deadlineNanos) throws InterruptedException {
    while (!healthy(i)) {
      if (!isAlive(i)) {
        throw new IllegalStateException("node " + name(i) + " exited while starting — see its log");
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException(
            "node " + name(i) + " did not answer /cohort/health in time — see its log");
      }
      Thread.sleep(200);
    }
  }

  /**
   * Waits until every live node's view lists every live node. Nodes that report no members (no
   * replication engine) are not waited for.
   */
  default void awaitFullView(long deadlineNanos) throws InterruptedException {
    while (true) {
      int alive = 0;
      for (int i = 0; i < size(); i++) {
        alive += isAlive(i) ? 1 : 0;
      }
      boolean full = true;
      for (int i = 0; i < size() && full; i++) {
        if (isAlive(i)) {
          int m = members(i);
          full = m == 0 || m == alive;
        }
      }
      if (full) {
        return;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException(
            "the nodes did not agree on a view of " + alive + " members in time");
      }
      Thread.sleep(200);
    }
  }

  /** HTTP probes of the admin endpoints, bounded by short timeouts. */
  final class Probe {
    private static final HttpClient HTTP =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private Probe() {}

    /** The status code of a GET, -1 when it failed. */
    public static int status(String url) {
      try {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
      } catch (IOException e) {
        return -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }

    static int members(String adminUrl, AdminAuth signer) {
      try {
        Map<String, Object> status = status(adminUrl, signer, Duration.ofSeconds(2));
        return status != null && status.get("members") instanceof List<?> l ? l.size() : 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 0;
      }
    }

    /**
     * The node's /cohort/status, signed when {@code signer} is given; null when it did not answer
     * 200.
     *
     * @throws IllegalStateException when the node refused the read (401): the harness is
     *     misconfigured, and a silent "no answer" would hide every check that reads the status
     */
    public static Map<String, Object> status(String adminUrl, AdminAuth signer, Duration timeout)
        throws InterruptedException {
      try {
        HttpResponse<String> r =
            new AdminClient(adminUrl, "admin URL", signer).get("/cohort/status", timeout);
        if (r.statusCode() == 401) {
          throw new IllegalStateException(
              "reading " + adminUrl + "/cohort/status was refused: " + r.body().strip());
        }
        return r.statusCode() == 200 ? Json.object(r.body()) : null;
      } catch (IOException | IllegalArgumentException e) {
        return null;
      }
    }
  }
}
