package dev.cohort.cli;

import dev.cohort.cli.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol (CDP) on a WebSocket: navigate, evaluate,
 * click with real mouse events, screenshot. One page, one process tree, closed by {@link #close}.
 */
final class Chromium implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<Map<String, Object>>> pending =
      new ConcurrentHashMap<>();

  private Chromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  static Chromium start(int width, int height) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing — install it (scripts/test-env-setup installs chromium)");
    }
    Path profile = Files.createTempDirectory("cohort-chromium-");
    Process p =
        new ProcessBuilder(
                BINARY.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=" + width + "," + height,
                "about:blank")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String browserWs = null;
    try {
      BufferedReader err =
          new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = err.readLine()) != null) {
        Matcher m = DEVTOOLS.matcher(line);
        if (m.find()) {
          browserWs = m.group(1);
          break;
        }
      }
      Thread drain =
          new Thread(
              () -> {
                try {
                  while (err.readLine() != null) {
                    // keep the pipe empty
                  }
                } catch (IOException e) {
                  // chromium exited
                }
              },
              "chromium-stderr");
      drain.setDaemon(true);
      drain.start();
      if (browserWs == null) {
        throw new IllegalStateException("chromium exited before printing its DevTools address");
      }
      URI base = URI.create(browserWs.replace("ws://", "http://"));
      HttpClient http = HttpClient.newHttpClient();
      String list =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://" + base.getAuthority() + "/json/list"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      String pageWs = null;
      for (Object o : (List<?>) Json.parse(list)) {
        Map<?, ?> t = (Map<?, ?>) o;
        if ("page".equals(t.get("type"))) {
          pageWs = (String) t.get("webSocketDebuggerUrl");
          break;
        }
      }
      if (pageWs == null) {
        throw new IllegalStateException("chromium has no page target: " + list);
      }
      Chromium[] self = new Chromium[1];
      WebSocket ws =
          http.newWebSocketBuilder()
              .buildAsync(URI.create(pageWs), new Listener(self))
              .get(10, TimeUnit.SECONDS);
      self[0] = new Chromium(p, profile, ws);
      self[0].call("Page.enable", "{}");
      self[0].call("Runtime.enable", "{}");
      self[0].call(
          "Emulation.setDeviceMetricsOverride",
          "{\"width\":"
              + width
              + ",\"height\":"
              + height
              + ",\"deviceScaleFactor\":1,\"mobile\":false}");
      return self[0];
    } catch (Exception e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw e;
    }
  }

  /** Sends one command and waits for its result (10 s). */
  Map<String, Object> call(String method, String paramsJson) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
    pending.put(id, f);
    socket
        .sendText(
            "{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true)
        .get(10, TimeUnit.SECONDS);
    Map<String, Object> reply = f.get(10, TimeUnit.SECONDS);
    if (reply.containsKey("error")) {
      throw new IllegalStateException(method + " failed: " + reply.get("error"));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) reply.get("result");
    return result == null ? Map.of() : result;
  }

  void navigate(String url) throws Exception {
    call("Page.navigate", "{\"url\":" + quote(url) + "}");
  }

  /** Evaluates a JavaScript expression in the page and returns its value (as JSON types). */
  Object eval(String expression) throws Exception {
    Map<String, Object> r =
        call(
            "Runtime.evaluate",
            "{\"expression\":"
                + quote(expression)
                + ",\"returnByValue\":true,\"awaitPromise\":true}");
    Object remote = r.get("result");
    return remote instanceof Map<?, ?> m ? m.get("value") : null;
  }

  /** A real click (mouse pressed and released) in the middle of the element with this id. */
  void click(String elementId) throws Exception {
    Object rect =
        eval(
            "(() => { const r = document.getElementById("
                + quote(elementId)
                + ").getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()");
    List<?> xy = (List<?>) rect;
    double x = ((Number) xy.get(0)).doubleValue();
    double y = ((Number) xy.get(1)).doubleValue();
    for (String type : new String[] {"mouseMoved", "mousePressed", "mouseReleased"}) {
      call(
          "Input.dispatchMouseEvent",
          "{\"type\":\""
              + type
              + "\",\"x\":"
              + x
              + ",\"y\":"
              + y
              + (type.equals("mouseMoved") ? "" : ",\"button\":\"left\",\"clickCount\":1")
              + "}");
    }
  }

  void screenshot(Path file) throws Exception {
    Map<String, Object> r = call("Page.captureScreenshot", "{\"format\":\"png\"}");
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode((String) r.get("data")));
  }

  static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the browser may already be gone
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /** Collects text frames into messages and completes the matching pending call. */
  private static final class Listener implements WebSocket.Listener {
    private final Chromium[] self;
    private final StringBuilder buffer = new StringBuilder();

    Listener(Chromium[] self) {
      this.self = self;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String message = buffer.toString();
        buffer.setLength(0);
        Map<String, Object> m = Json.object(message);
        if (m.get("id") instanceof Number id && self[0] != null) {
          CompletableFuture<Map<String, Object>> f = self[0].pending.remove(id.intValue());
          if (f != null) {
            f.complete(m);
          }
        }
      }
      ws.request(1);
      return null;
    }
  }
}
