package dev.cohort.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Active health checks, as {@link BalancerConfig#healthCheck()} says: every {@code healthInterval},
 * on a fresh connection to each backend,
 *
 * <ul>
 *   <li>{@code http}: {@code GET <path>}; an expected status passes (by default {@code GET
 *       /cohort/health} and 2xx/3xx), anything else (503 = not ready, a refused connect, no answer
 *       within the interval) fails;
 *   <li>{@code tcp}: a connect within the interval (and the connect timeout) passes; the connection
 *       is closed at once;
 *   <li>{@code none}: no probe; a backend that a failed connect took down ({@link
 *       BackendState#markDown}) is reinstated one interval later.
 * </ul>
 *
 * {@link BackendState#recordCheck} applies rise/fall. At most one check per backend is in flight.
 */
final class HealthChecker implements AutoCloseable {
  private final BalancerConfig config;
  private final HealthCheck check;
  private final List<BackendState> backends;
  private final EventLoopGroup group;
  private final List<ScheduledFuture<?>> schedules = new ArrayList<>();

  HealthChecker(BalancerConfig config, List<BackendState> backends, EventLoopGroup group) {
    this.config = config;
    this.check = config.healthCheck();
    this.backends = backends;
    this.group = group;
  }

  void start() {
    long interval = config.healthInterval().toNanos();
    if (check.type() == HealthCheck.Type.NONE) {
      String after = config.healthInterval().toMillis() + " ms";
      for (BackendState b : backends) {
        b.recoverWithoutChecks(
            after,
            () -> {
              try {
                group.next().schedule(b::reinstate, interval, TimeUnit.NANOSECONDS);
              } catch (RejectedExecutionException closing) {
                // the balancer is closing: nothing to reinstate for
              }
            });
      }
      return;
    }
    for (BackendState b : backends) {
      schedules.add(
          group
              .next()
              .scheduleWithFixedDelay(() -> check(b), interval, interval, TimeUnit.NANOSECONDS));
    }
  }

  private void check(BackendState b) {
    if (b.checking) {
      return;
    }
    b.checking = true;
    probe(
        b,
        ok -> {
          b.checking = false;
          b.recordCheck(ok);
        });
  }

  private void probe(BackendState b, Consumer<Boolean> result) {
    long timeoutMillis = Math.max(1, config.healthInterval().toMillis());
    if (check.type() == HealthCheck.Type.TCP) {
      connect(b, timeoutMillis, new ChannelInboundHandlerAdapter())
          .addListener(
              (ChannelFuture cf) -> {
                if (cf.isSuccess()) {
                  cf.channel().close();
                }
                result.accept(cf.isSuccess());
              });
      return;
    }
    Probe probe = new Probe(check, result);
    ChannelFuture f =
        connect(
            b,
            timeoutMillis,
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), probe);
              }
            });
    f.addListener(
        (ChannelFuture cf) -> {
          if (!cf.isSuccess()) {
            probe.done(false);
            return;
          }
          Channel ch = cf.channel();
          ScheduledFuture<?> t =
              ch.eventLoop()
                  .schedule(() -> probe.done(false), timeoutMillis, TimeUnit.MILLISECONDS);
          ch.closeFuture().addListener(c -> t.cancel(false));
          FullHttpRequest req =
              new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, check.path());
          req.headers()
              .set(HttpHeaderNames.HOST, b.backend.authority())
              .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
              .set(HttpHeaderNames.USER_AGENT, "cohort-balancer-health");
          ch.writeAndFlush(req);
        });
  }

  /** A fresh connection to {@code b}, bounded by the connect timeout and {@code timeoutMillis}. */
  private ChannelFuture connect(BackendState b, long timeoutMillis, ChannelHandler handler) {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(config.connectTimeout().toMillis(), timeoutMillis))
        .handler(handler)
        .connect(InetSocketAddress.createUnresolved(b.backend.host(), b.backend.port()));
  }

  /** One HTTP check's connection: the status line decides; then the connection closes. */
  private static final class Probe extends ChannelInboundHandlerAdapter {
    private final HealthCheck check;
    private final Consumer<Boolean> result;
    private boolean reported;
    private Channel channel;

    Probe(HealthCheck check, Consumer<Boolean> result) {
      this.check = check;
      this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse r) {
          done(r.decoderResult().isSuccess() && check.expects(r.status().code()));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      done(false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      done(false);
    }

    synchronized void done(boolean ok) {
      if (reported) {
        return;
      }
      reported = true;
      if (channel != null) {
        channel.close();
      }
      result.accept(ok);
    }
  }

  @Override
  public void close() {
    for (ScheduledFuture<?> s : schedules) {
      s.cancel(false);
    }
  }
}
