package dev.cohort.cli.admin;

import dev.cohort.tomcat.admin.AdminAuth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP to one node's {@code /cohort/*}, signing every request with the cluster secret when one is
 * known ({@link AdminAuth}). Without a secret, only a node's admin connector answers the pages, and
 * nothing that changes the cluster is accepted anywhere.
 */
public final class AdminClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String option;
  private final AdminAuth auth;

  /**
   * @param url the node's base URL (its HTTP or admin connector)
   * @param option the option that gave the URL, for errors
   * @param auth the signer, or null to send unsigned requests
   * @throws IllegalArgumentException naming {@code option} when the URL is not http(s)://host:port
   */
  public AdminClient(String url, String option, AdminAuth auth) {
    this.base = baseUrl(url, option);
    this.option = option;
    this.auth = auth;
  }

  /**
   * {@code url} without trailing slashes, checked.
   *
   * @throws IllegalArgumentException naming {@code option} when it is not http(s)://host:port
   */
  public static String baseUrl(String url, String option) {
    String b = url == null ? "" : url.replaceAll("/+$", "");
    URI u;
    try {
      u = URI.create(b);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": '" + url + "' is not a URL", e);
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new IllegalArgumentException(
          option + ": '" + url + "' is not an http(s)://host:port URL of a node");
    }
    if (u.getRawPath() != null && !u.getRawPath().isEmpty()) {
      throw new IllegalArgumentException(
          option + ": '" + url + "' has a path — give the node's base URL, http://host:port");
    }
    return b;
  }

  /** A signer for {@code secret}, or null when there is no secret. */
  public static AdminAuth signer(String secret) {
    return secret == null ? null : AdminAuth.of(secret);
  }

  public String base() {
    return base;
  }

  public boolean signs() {
    return auth != null;
  }

  /**
   * Sends one request to {@code path} (path and query, as sent).
   *
   * @param bodySha256 the body's SHA-256 (hex) when the request has a body, else null
   */
  public HttpResponse<String> send(
      HttpRequest.Builder request, String method, String path, String bodySha256, Duration timeout)
      throws IOException, InterruptedException {
    request.uri(URI.create(base + path)).timeout(timeout);
    if (auth != null) {
      auth.sign(method, path, bodySha256).forEach(request::header);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path, Duration timeout)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder().GET(), "GET", path, null, timeout);
  }

  /** A hint for a 401 answer: what the caller can do about it. */
  public String unauthorizedHint() {
    return auth == null
        ? "give the cluster secret (--secret-file FILE or env "
            + SecretOption.ENV
            + ") or use the node's admin connector URL in "
            + option
        : "the node refused the signature: is it the cluster's secret, and are the clocks right?";
  }
}
