package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
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
    ByteBufAllocatorMetric metric =
        ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    http.get("/"); // warm up: pools and the allocator's first chunks
    long baseline = metric.usedDirectMemory() + metric.usedHeapMemory();

    AtomicLong peak = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (running.get()) {
                peak.accumulateAndGet(
                    metric.usedDirectMemory() + metric.usedHeapMemory() - baseline, Math::max);
                try {
                  Thread.sleep(5); // sampling period, not a wait for correctness
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.setDaemon(true);
    sampler.start();
    try {
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
    } finally {
      running.set(false);
      sampler.join();
    }
    System.out.printf(
        "StreamingIT: peak balancer buffer memory above baseline %.1f MiB for 2 x 100 MiB%n",
        peak.get() / 1048576.0);
    assertThat(peak.get()).as("bytes held by the balancer at peak").isLessThan(BOUND);
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
