package dev.cohort.balancer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small blocking HTTP/1.1 client for the tests (JDK HttpClient, no cookie store). */
final class Http {
  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final int port;

  Http(int port) {
    this.port = port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.GET().build());
  }

  HttpResponse<String> post(String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
    return client.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code JSESSIONID=...} pair a response set, or null. */
  static String sessionCookie(HttpResponse<?> r) {
    return r.headers().allValues("set-cookie").stream()
        .filter(c -> c.startsWith("JSESSIONID="))
        .map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
        .findFirst()
        .orElse(null);
  }

  static String route(HttpResponse<?> r) {
    return r.headers().firstValue("x-route").orElse(null);
  }
}
