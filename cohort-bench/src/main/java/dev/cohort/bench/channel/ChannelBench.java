package dev.cohort.bench.channel;

import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.Member;
import dev.cohort.jgroups.JGroupsChannel;
import dev.cohort.jgroups.JGroupsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two {@link JGroupsChannel} members on 127.0.0.1: round-trip time of an acknowledged request,
 * throughput of fire-and-forget messages, and bulk-stream throughput. Bounded in count and time.
 *
 * <pre>
 * java -cp cohort-bench/target/benchmarks.jar dev.cohort.bench.channel.ChannelBench \
 *     [--requests 20000] [--warmup 5000] [--messages 200000] [--size 100] \
 *     [--bulk-mb 64] [--secret] [--max-seconds 120]
 * </pre>
 */
public final class ChannelBench {
  private ChannelBench() {}

  private record Options(
      int requests,
      int warmup,
      int messages,
      int size,
      int bulkMb,
      boolean secret,
      int maxSeconds) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.maxSeconds());
    int p1 = freePort();
    int p2 = freePort();
    while (p2 == p1 || Math.abs(p2 - p1) == 1) {
      p2 = freePort();
    }
    String cluster = "cohort-bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    String members = "static:127.0.0.1:" + p1 + ",127.0.0.1:" + p2;
    JGroupsConfig base =
        JGroupsConfig.defaults("b1", "127.0.0.1")
            .withClusterName(cluster)
            .withPortRange(0)
            .withDiscovery(members);
    if (o.secret()) {
      base = base.withSecret("benchmark-secret-0123456789");
    }
    AtomicLong received = new AtomicLong();
    AtomicLong bulkBytes = new AtomicLong();
    byte[] ack = new byte[8];
    try (JGroupsChannel a = new JGroupsChannel(base.withPort(p1));
        JGroupsChannel b = new JGroupsChannel(base.withNodeName("b2").withPort(p2))) {
      b.setRequestHandler((from, payload) -> ack);
      b.setMessageHandler((from, payload) -> received.incrementAndGet());
      b.setBulkHandler((from, topic, id, seq, chunk, last) -> bulkBytes.addAndGet(chunk.length));
      a.setRequestHandler((from, payload) -> ack);
      a.connect();
      b.connect();
      while (a.view().size() < 2 || b.view().size() < 2) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the two members did not form a view in time");
        }
        Thread.sleep(20); // a benchmark main, not a test: polling the view is fine here
      }
      Member target = b.localMember();
      byte[] payload = new byte[o.size()];
      ThreadLocalRandom.current().nextBytes(payload);
      System.out.printf(
          Locale.ROOT,
          "cohort channel benchmark: 2 members on 127.0.0.1, TCP_NIO2, %s, payload %d bytes, %d cores, %s%n",
          o.secret() ? "secret (sealed frames, AES-256/GCM)" : "no secret",
          o.size(),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));

      for (int i = 0; i < o.warmup() && System.nanoTime() < deadline; i++) {
        a.request(List.of(target), payload, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
      }
      long[] rtt = new long[o.requests()];
      int done = 0;
      for (; done < o.requests() && System.nanoTime() < deadline; done++) {
        long t0 = System.nanoTime();
        a.request(List.of(target), payload, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
        rtt[done] = System.nanoTime() - t0;
      }
      long[] sorted = Arrays.copyOf(rtt, done);
      Arrays.sort(sorted);
      System.out.printf(
          Locale.ROOT,
          "request RTT (%d sequential, after %d warm-up): p50 %.1f us, p90 %.1f us, p99 %.1f us,"
              + " p99.9 %.1f us, max %.1f us -> %.0f requests/s%n",
          done,
          o.warmup(),
          pct(sorted, 50),
          pct(sorted, 90),
          pct(sorted, 99),
          pct(sorted, 99.9),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0,
          done / (Arrays.stream(sorted).sum() / 1e9));

      long t0 = System.nanoTime();
      int sent = 0;
      for (; sent < o.messages() && System.nanoTime() < deadline; sent++) {
        a.send(List.of(target), payload);
      }
      // FIFO per sender: when this request is answered, b has handled every message before it
      a.request(List.of(target), payload, Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "async messages: %d sent, %d handled in %.2f s -> %.0f msgs/s (%.1f MB/s of payload)%n",
          sent,
          received.get(),
          secs,
          received.get() / secs,
          received.get() * (double) o.size() / secs / 1e6);

      if (o.bulkMb() > 0 && System.nanoTime() < deadline) {
        byte[] chunk = new byte[64 * 1024];
        int chunks = o.bulkMb() * 16;
        long b0 = System.nanoTime();
        try (BulkSender s = a.openBulk(target, "bench")) {
          for (int i = 0; i < chunks && System.nanoTime() < deadline; i++) {
            s.write(chunk);
          }
          s.finish();
        }
        double bs = (System.nanoTime() - b0) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "bulk stream: %.1f MB in 64 KiB chunks, window %d, in %.2f s -> %.1f MB/s%n",
            bulkBytes.get() / 1e6,
            JGroupsChannel.BULK_WINDOW,
            bs,
            bulkBytes.get() / bs / 1e6);
      }
    }
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }

  private static Options parse(String[] args) {
    int requests = 20_000;
    int warmup = 5_000;
    int messages = 200_000;
    int size = 100;
    int bulkMb = 64;
    boolean secret = false;
    int maxSeconds = 120;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--requests" -> requests = positive(a, args, ++i);
        case "--warmup" -> warmup = nonNegative(a, args, ++i);
        case "--messages" -> messages = nonNegative(a, args, ++i);
        case "--size" -> size = nonNegative(a, args, ++i);
        case "--bulk-mb" -> bulkMb = nonNegative(a, args, ++i);
        case "--max-seconds" -> maxSeconds = positive(a, args, ++i);
        case "--secret" -> secret = true;
        default -> {
          System.err.println("unknown option " + a);
          System.exit(2);
        }
      }
    }
    return new Options(requests, warmup, messages, size, bulkMb, secret, maxSeconds);
  }

  private static int positive(String name, String[] args, int i) {
    int v = nonNegative(name, args, i);
    if (v == 0) {
      System.err.println(name + ": must be positive");
      System.exit(2);
    }
    return v;
  }

  private static int nonNegative(String name, String[] args, int i) {
    try {
      int v = Integer.parseInt(args[i]);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (RuntimeException e) {
      System.err.println(name + ": needs a non-negative number");
      System.exit(2);
      return 0;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }
}
