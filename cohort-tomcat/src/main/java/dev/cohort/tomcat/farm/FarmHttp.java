package dev.cohort.tomcat.farm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

/**
 * {@code /cohort/farm} on a node's admin endpoints (the admin valve calls {@link #serve} after its
 * own protections have passed: deploying and undeploying run code on every node, so the valve lets
 * them through only when signed with the cluster secret; see {@code AdminValve}). They are accepted
 * only once the farm is ready (503 before). The signature covers {@code X-Cohort-SHA256}, and the
 * upload is checked against it, so the WAR deployed is the one that was signed.
 *
 * <ul>
 *   <li>{@code GET /cohort/farm}: the catalogue and each member's state (JSON).
 *   <li>{@code PUT /cohort/farm/NAME} with the WAR as body and {@code X-Cohort-SHA256} (hex); an
 *       optional {@code X-Cohort-Length} must equal the body's length. Verified, then rolled out:
 *       200 with each member's answer; 400 when the length or digest does not match (nothing
 *       changes, the running version stays).
 *   <li>{@code DELETE /cohort/farm/NAME}: undeploy everywhere; 404 when unknown.
 * </ul>
 */
public final class FarmHttp {
  public static final String PATH = "/cohort/farm";
  private static final String JSON = "application/json;charset=UTF-8";
  private static final String TEXT = "text/plain;charset=UTF-8";

  private final FarmDeployer farm;

  public FarmHttp(FarmDeployer farm) {
    this.farm = farm;
  }

  public static boolean isFarmPath(String path) {
    return path.equals(PATH) || path.startsWith(PATH + "/");
  }

  /** Answers one farm request that the admin valve has let through. */
  public void serve(String path, Request request, Response response) throws IOException {
    String method = request.getMethod();
    String name = path.length() > PATH.length() + 1 ? path.substring(PATH.length() + 1) : null;
    try {
      if (name == null) {
        if (!"GET".equals(method)) {
          response.setHeader("Allow", "GET");
          write(response, 405, TEXT, "method not allowed: GET " + PATH + "\n");
          return;
        }
        write(response, 200, JSON, farm.status().toJson());
        return;
      }
      FarmApp.checkName(name);
      if (("PUT".equals(method) || "DELETE".equals(method)) && !farm.isReady()) {
        write(
            response,
            503,
            TEXT,
            "farm not ready: this node is still fetching the farm's applications — retry soon\n");
        return;
      }
      if ("PUT".equals(method)) {
        put(name, request, response);
      } else if ("DELETE".equals(method)) {
        FarmDeployer.Rollout r = farm.remove(name);
        if (r == null) {
          write(response, 404, TEXT, "not found: no farmed application '" + name + "'\n");
        } else {
          write(response, 200, JSON, FarmStatus.rolloutJson(r));
        }
      } else {
        response.setHeader("Allow", "PUT, DELETE");
        write(response, 405, TEXT, "method not allowed: PUT or DELETE " + PATH + "/NAME\n");
      }
    } catch (IllegalArgumentException e) {
      write(response, 400, TEXT, e.getMessage() + "\n");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      write(response, 503, TEXT, "farm request interrupted: the node is stopping\n");
    }
  }

  private void put(String name, Request request, Response response)
      throws IOException, InterruptedException {
    String sha = request.getHeader("X-Cohort-SHA256");
    long length = request.getContentLengthLong();
    String declared = request.getHeader("X-Cohort-Length");
    String rejected = "upload rejected [app " + name + "]: ";
    if (sha == null) {
      write(
          response,
          400,
          TEXT,
          rejected
              + "X-Cohort-SHA256 header missing — send the WAR's SHA-256 (cohort farm deploy"
              + " does)\n");
      return;
    }
    if (length < 0) {
      write(response, 411, TEXT, rejected + "Content-Length required\n");
      return;
    }
    if (declared != null) {
      long d;
      try {
        d = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        write(
            response, 400, TEXT, rejected + "X-Cohort-Length '" + declared + "' is not a number\n");
        return;
      }
      if (d != length) {
        write(
            response,
            400,
            TEXT,
            rejected
                + "the body has "
                + length
                + " bytes but X-Cohort-Length says "
                + d
                + " — the upload was cut short or altered; nothing changed"
                + keeps(name)
                + "; upload it again\n");
        return;
      }
    }
    FarmDeployer.Rollout r;
    try (InputStream body = request.getInputStream()) {
      r = farm.upload(name, body, length, sha.trim().toLowerCase(Locale.ROOT));
    } catch (WarRejectedException e) {
      write(response, 400, TEXT, e.getMessage() + keeps(name) + "\n");
      return;
    } catch (IOException e) {
      // the client went away or sent less than it announced
      write(
          response,
          400,
          TEXT,
          rejected
              + "reading the body failed ("
              + e.getMessage()
              + ") — the upload was cut short; nothing changed"
              + keeps(name)
              + "\n");
      return;
    }
    write(response, 200, JSON, FarmStatus.rolloutJson(r));
  }

  /** "; version V keeps running" when a version of {@code name} runs on this node, else "". */
  private String keeps(String name) {
    AppVersion running = farm.running(name);
    return running == null ? "" : "; version " + running + " keeps running";
  }

  private static void write(Response response, int status, String type, String body)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType(type);
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
