package dev.cohort.cli.farm;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP to one node's {@code /cohort/farm}. */
final class FarmClient {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  FarmClient(String nodeUrl) {
    String b = nodeUrl == null ? "" : nodeUrl.replaceAll("/+$", "");
    URI u;
    try {
      u = URI.create(b);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--node: '" + nodeUrl + "' is not a URL", e);
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new IllegalArgumentException(
          "--node: '" + nodeUrl + "' is not an http(s)://host:port URL of a node");
    }
    this.base = b;
  }

  String base() {
    return base;
  }

  HttpResponse<String> send(HttpRequest.Builder request, String path, Duration timeout)
      throws IOException, InterruptedException {
    return http.send(
        request.uri(URI.create(base + path)).timeout(timeout).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
