package dev.cohort.balancer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP backend on 127.0.0.1 (JDK HttpServer, so it shares nothing with the balancer's
 * Netty): answers with its route in the body and an {@code X-Route} header, hands out {@code
 * JSESSIONID=<hex>.<route>} to clients without one, streams {@code /download?bytes=N}, counts
 * uploaded bytes, lists the request headers it got at {@code /echo-headers}, and answers {@code
 * /cohort/health} with 200 or 503. Runs in-process or as a separate JVM ({@link #main}) for the
 * HAProxy test and the benchmark.
 */
final class TestBackend implements AutoCloseable {
  static {
    // the JDK server writes a response's head and body apart: without this, Nagle's algorithm
    // holds the body until the balancer's delayed ACK (40 ms a response on Linux)
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  final String route;
  final AtomicInteger hits = new AtomicInteger();
  volatile boolean healthy = true;
  private final HttpServer server;
  private final ExecutorService executor;

  private TestBackend(String route, int port) throws IOException {
    this.route = route;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    this.executor =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "backend-" + route);
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.createContext("/cohort/health", this::health);
    server.start();
  }

  static TestBackend start(String route) throws IOException {
    return new TestBackend(route, 0);
  }

  int port() {
    return server.getAddress().getPort();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  Backend backend() {
    return new Backend(route, uri(), 1);
  }

  private void health(HttpExchange ex) throws IOException {
    drain(ex.getRequestBody());
    byte[] body = (healthy ? "ready\n" : "not ready\n").getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(healthy ? 200 : 503, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    hits.incrementAndGet();
    if (ex.getRequestURI().getPath().equals("/reject")) {
      // answers before reading the body, like a server refusing an upload that is too large
      byte[] body = "too large\n".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Connection", "close");
      ex.sendResponseHeaders(413, body.length);
      ex.getResponseBody().write(body);
      ex.getResponseBody().flush();
      return; // the exchange stays open with its body unread
    }
    long received = drain(ex.getRequestBody());
    String cookie = ex.getRequestHeaders().getFirst("Cookie");
    boolean hasSession =
        (cookie != null && cookie.contains("JSESSIONID="))
            || ex.getRequestURI().getRawPath().contains(";jsessionid=");
    if (!hasSession) {
      ex.getResponseHeaders()
          .add(
              "Set-Cookie",
              "JSESSIONID="
                  + Long.toHexString(ThreadLocalRandom.current().nextLong() | 1L << 60)
                  + "."
                  + route
                  + "; Path=/; HttpOnly");
    }
    ex.getResponseHeaders().add("X-Route", route);
    String forwardedFor = ex.getRequestHeaders().getFirst("X-Forwarded-For");
    ex.getResponseHeaders().add("X-Seen-Forwarded-For", String.valueOf(forwardedFor));
    if (ex.getRequestURI().getPath().equals("/echo-headers")) {
      StringBuilder lines = new StringBuilder();
      ex.getRequestHeaders()
          .forEach(
              (k, v) ->
                  v.forEach(
                      x -> lines.append(k.toLowerCase()).append(": ").append(x).append('\n')));
      byte[] body = lines.toString().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
      return;
    }
    String query = ex.getRequestURI().getQuery();
    if (ex.getRequestURI().getPath().startsWith("/download") && query != null) {
      long n = Long.parseLong(query.substring(query.indexOf('=') + 1));
      ex.sendResponseHeaders(200, 0); // chunked
      byte[] block = new byte[64 * 1024];
      try (OutputStream out = ex.getResponseBody()) {
        for (long left = n; left > 0; left -= block.length) {
          out.write(block, 0, (int) Math.min(block.length, left));
        }
      }
      return;
    }
    byte[] body = (route + " " + received + "\n").getBytes(StandardCharsets.UTF_8);
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.sendResponseHeaders(200, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static long drain(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    for (int r; (r = in.read(buf)) > 0; ) {
      n += r;
    }
    return n;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code TestBackend <route> <port>}: runs until killed; prints {@code PORT <n>} once up. */
  public static void main(String[] args) throws Exception {
    TestBackend b = new TestBackend(args[0], Integer.parseInt(args[1]));
    System.out.println("PORT " + b.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
