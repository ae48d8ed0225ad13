package dev.cohort.example.cart;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** HTTP to one instance, no cookie jar: the test decides which session cookie it sends. */
final class Client {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One answer; its JSON body is read with JsonPath expressions ({@code $.items}). */
  record Reply(int status, String body, String setCookieId) {
    private DocumentContext json() {
      return JsonPath.parse(body);
    }

    String text(String path) {
      return String.valueOf(json().read(path, Object.class));
    }

    int number(String path) {
      return json().read(path, Number.class).intValue();
    }

    List<String> strings(String path) {
      List<?> values = json().read(path, List.class);
      return values.stream().map(String::valueOf).toList();
    }
  }

  private Client() {}

  static Reply get(int port, String path, String sessionId) {
    return send(port, "GET", path, sessionId);
  }

  static Reply post(int port, String path, String sessionId) {
    return send(port, "POST", path, sessionId);
  }

  private static Reply send(int port, String method, String path, String sessionId) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (sessionId != null) {
      b.header("Cookie", "JSESSIONID=" + sessionId);
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String cookie =
          r.headers().allValues("Set-Cookie").stream()
              .filter(c -> c.startsWith("JSESSIONID="))
              .map(c -> c.substring("JSESSIONID=".length(), c.indexOf(';')))
              .reduce((a, c) -> c)
              .orElse(null);
      return new Reply(r.statusCode(), r.body(), cookie);
    } catch (IOException e) {
      throw new IllegalStateException(
          method + " " + path + " on port " + port + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
