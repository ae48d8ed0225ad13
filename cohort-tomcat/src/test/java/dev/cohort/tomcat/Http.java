package dev.cohort.tomcat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** A tiny client for the test webapp: no cookie jar, the test decides which cookie it sends. */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Reply(
      int status,
      Map<String, String> fields,
      String setCookieId,
      String location,
      String retryAfter) {
    int count() {
      return Integer.parseInt(fields.get("count"));
    }

    String node() {
      return fields.get("node");
    }
  }

  private Http() {}

  static Reply get(int port, String path, String sessionId) {
    return send(port, path, sessionId, null);
  }

  static Reply postForm(int port, String path, String sessionId, String form) {
    return send(port, path, sessionId, form);
  }

  private static Reply send(int port, String path, String sessionId, String form) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form));
    }
    if (sessionId != null) {
      b.header("Cookie", "JSESSIONID=" + sessionId);
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      Map<String, String> fields = new HashMap<>();
      for (String line : r.body().split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          fields.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
      }
      String cookie =
          r.headers().allValues("Set-Cookie").stream()
              .filter(c -> c.startsWith("JSESSIONID="))
              .map(c -> c.substring("JSESSIONID=".length(), c.indexOf(';')))
              .reduce((a, c) -> c)
              .orElse(null);
      return new Reply(
          r.statusCode(),
          fields,
          cookie,
          r.headers().firstValue("Location").orElse(null),
          r.headers().firstValue("Retry-After").orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " on port " + port + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
