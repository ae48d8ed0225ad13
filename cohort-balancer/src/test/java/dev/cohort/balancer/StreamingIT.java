package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100 MB through the balancer each way while the buffers the balancer holds (Netty's allocator,
 * which nothing else in this JVM uses: client and backend are the JDK's) stay small: bodies are
 * streamed, never aggregated.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamingIT extends ItSupport {
  private static final long HUNDRED_MB = 100L * 1024 * 1024;

  /** What the balancer may hold at once for one transfer: far below the body size. */
  private static final long BOUND = 16L * 1024 * 1024;

  @Test
  void streams100MbUploadAndDownload_withBoundedBuffers() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withHealthInterval(Duration.ofSeconds(30)));
    Http http = new Http(balancer.port());
    http.get("/"); // warm up: pools and the allocator's first chunks
    long peak;
    try (PeakSampler sampler = new PeakSampler()) {
      HttpResponse<String> up =
          http.client.send(
              HttpRequest.newBuilder(http.uri("/upload"))
                  .timeout(Duration.ofSeconds(90))
                  .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(HUNDRED_MB)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).isEqualTo("n1 " + HUNDRED_MB + "\n");

      HttpResponse<InputStream> down =
          http.client.send(
              HttpRequest.newBuilder(http.uri("/download?bytes=" + HUNDRED_MB))
                  .timeout(Duration.ofSeconds(90))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(down.statusCode()).isEqualTo(200);
      long received = 0;
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = down.body()) {
        for (int r; (r = in.read(buf)) > 0; ) {
          received += r;
        }
      }
      assertThat(received).isEqualTo(HUNDRED_MB);
      peak = sampler.peak();
    }
    System.out.printf(
        "StreamingIT: peak balancer buffer memory above baseline %.1f MiB for 2 x 100 MiB%n",
        peak / 1048576.0);
    assertThat(peak).as("bytes held by the balancer at peak").isLessThan(BOUND);
  }

  @Test
  void earlyAnswerToALargeUpload_dropsTheRestOfTheBodyWithoutBuffering() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withHealthInterval(Duration.ofSeconds(30)));
    long bodySize = 50L * 1024 * 1024;
    long peak;
    try (RawClient c = new RawClient(balancer.port());
        PeakSampler sampler = new PeakSampler()) {
      c.send("POST /reject HTTP/1.1\r\nHost: x\r\nContent-Length: " + bodySize + "\r\n\r\n");
      Thread writer =
          new Thread(
              () -> {
                byte[] block = new byte[64 * 1024];
                try {
                  for (long left = bodySize; left > 0; left -= block.length) {
                    c.socket.getOutputStream().write(block, 0, (int) Math.min(left, block.length));
                  }
                } catch (IOException e) {
                  // the balancer may close once it has answered
                }
              });
      writer.setDaemon(true);
      writer.start();
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 413");
      assertThat(c.readBody(RawClient.contentLength(head))).isEqualTo("too large\n");
      writer.join(60_000);
      assertThat(writer.isAlive()).as("the whole body was read by the balancer").isFalse();
      peak = sampler.peak();
    }
    assertThat(peak).as("bytes held while a 50 MiB body was dropped").isLessThan(BOUND);
    assertThat(new Http(balancer.port()).get("/").statusCode()).isEqualTo(200);
  }

  /**
   * Samples the bytes of the balancer's allocator ({@link ProxyContext#BUFFERS}, used by nothing
   * else in this JVM's tests) that live buffers pin, every few milliseconds, and keeps the peak
   * above the level at start.
   */
  private static final class PeakSampler implements AutoCloseable {
    private final long baseline = used();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this::run, "peak-sampler");

    PeakSampler() {
      thread.setDaemon(true);
      thread.start();
    }

    private long used() {
      return ProxyContext.BUFFERS.pinnedDirectMemory() + ProxyContext.BUFFERS.pinnedHeapMemory();
    }

    private void run() {
      while (running.get()) {
        peak.accumulateAndGet(used() - baseline, Math::max);
        try {
          Thread.sleep(5); // sampling period, not a wait for correctness
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    long peak() {
      peak.accumulateAndGet(used() - baseline, Math::max);
      return peak.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }

  /** {@code n} zero bytes, produced as read. */
  private static final class ZeroStream extends InputStream {
    private long left;

    ZeroStream(long n) {
      left = n;
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return 0;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      left -= n;
      return n;
    }
  }
}
