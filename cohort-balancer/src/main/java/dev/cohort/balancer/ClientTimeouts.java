package dev.cohort.balancer;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The read deadlines of one client connection, so that a client that sends slowly or not at all
 * (slowloris) holds a connection for a bounded time:
 *
 * <ul>
 *   <li>{@code header-timeout}: a request head must be complete within this time of its first byte
 *       (of the accept, for a connection's first request); otherwise {@code 408} and close. A new
 *       connection that sends nothing at all is closed without an answer (a browser's speculative
 *       connection must not show a 408).
 *   <li>{@code body-timeout}: while the balancer reads a request body, two reads may be at most
 *       this far apart; otherwise {@code 408} and close, or only the close once the response has
 *       begun (FrontendHandler decides, on {@link #BODY_STALLED}). Time while the balancer does not
 *       read (back-pressure from the backend) does not count.
 *   <li>{@code keep-alive-timeout}: between two requests a connection may stay silent this long;
 *       then it closes without an answer.
 * </ul>
 *
 * <p>Two handlers share this state: {@link #bytes} before the request decoder sees every read,
 * {@link #messages} after it sees where a head and a body end; {@link FrontendHandler} says when an
 * exchange has ended ({@link #idle}) and when it reads again ({@link #resumed}). After a WebSocket
 * upgrade no deadline applies. One timer task per connection, re-armed lazily (a busy connection
 * reschedules nothing). Bytes of a next request that arrive in the same read as the end of the
 * previous one are not told apart from it: such a connection is bounded by the keep-alive timeout
 * instead of the header timeout.
 *
 * <p>Threading: the connection's event loop only.
 */
final class ClientTimeouts {
  /** User event to FrontendHandler: the request body stalled for body-timeout. */
  static final Object BODY_STALLED = new Object();

  private enum Phase {
    HEAD,
    BODY,
    BUSY
  }

  private final BalancerConfig config;
  private final Stats stats;
  private ChannelHandlerContext ctx;
  private boolean started;
  private Phase phase = Phase.HEAD;
  private boolean firstRequest = true;
  private boolean headStarted;
  private long headDeadline;
  private long idleDeadline;
  private long lastBodyRead;

  /** When the first byte after the current request's body came (a next head, early), or -1. */
  private long earlyHeadAt = -1;

  private ScheduledFuture<?> timer;
  private long timerAt;

  /** Goes first in the pipeline: sees every read. */
  final ChannelInboundHandler bytes =
      new ChannelInboundHandlerAdapter() {
        @Override
        public void handlerAdded(ChannelHandlerContext c) {
          ctx = c;
          if (c.channel().isActive()) {
            start();
          }
        }

        @Override
        public void channelActive(ChannelHandlerContext c) {
          start();
          c.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
          onBytes();
          c.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
          stop();
          c.fireChannelInactive();
        }
      };

  /** Goes right after the request decoder: sees where heads and bodies end. */
  final ChannelInboundHandler messages =
      new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
          if (msg instanceof HttpRequest) {
            onHead();
          }
          if (msg instanceof LastHttpContent) {
            phase = Phase.BUSY;
            earlyHeadAt = -1;
          }
          c.fireChannelRead(msg);
        }
      };

  ClientTimeouts(BalancerConfig config, Stats stats) {
    this.config = config;
    this.stats = stats;
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
  }

  private void start() {
    if (started) {
      return;
    }
    started = true;
    long now = now();
    phase = Phase.HEAD;
    headDeadline = now + config.headerTimeout().toNanos();
    idleDeadline = headDeadline;
    arm(headDeadline);
  }

  private void onBytes() {
    switch (phase) {
      case HEAD -> {
        if (!headStarted) {
          headStarted = true;
          if (!firstRequest) {
            headDeadline = now() + config.headerTimeout().toNanos();
            arm(headDeadline);
          }
        }
      }
      case BODY -> lastBodyRead = now();
      case BUSY -> {
        if (earlyHeadAt < 0) {
          earlyHeadAt = now();
        }
      }
    }
  }

  private void onHead() {
    long now = now();
    phase = Phase.BODY;
    firstRequest = false;
    headStarted = false;
    earlyHeadAt = -1;
    lastBodyRead = now;
    arm(now + config.bodyTimeout().toNanos());
  }

  /** The exchange ended and the connection stays open: the next request's wait begins. */
  void idle() {
    if (!started || !ctx.channel().isActive()) {
      return;
    }
    long now = now();
    phase = Phase.HEAD;
    if (earlyHeadAt >= 0) {
      headStarted = true;
      headDeadline = earlyHeadAt + config.headerTimeout().toNanos();
      arm(headDeadline);
    } else {
      headStarted = false;
      idleDeadline = now + config.keepAliveTimeout().toNanos();
      arm(idleDeadline);
    }
    earlyHeadAt = -1;
  }

  /** FrontendHandler reads the client again after a pause: the pause did not count. */
  void resumed() {
    if (started && phase == Phase.BODY) {
      lastBodyRead = now();
    }
  }

  private void arm(long deadline) {
    if (timer != null) {
      if (timerAt <= deadline) {
        return; // fires first, and re-arms for the rest
      }
      timer.cancel(false);
    }
    timerAt = deadline;
    timer = ctx.executor().schedule(this::onTimer, deadline - now(), TimeUnit.NANOSECONDS);
  }

  private void stop() {
    phase = Phase.BUSY;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void onTimer() {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    long now = now();
    switch (phase) {
      case HEAD -> {
        long deadline = headStarted ? headDeadline : idleDeadline;
        if (now - deadline < 0) {
          arm(deadline);
        } else if (headStarted) {
          headTimedOut();
        } else {
          stats.idleClosed.increment();
          stop();
          ctx.close();
        }
      }
      case BODY -> {
        long body = config.bodyTimeout().toNanos();
        if (!ctx.channel().config().isAutoRead()) {
          lastBodyRead = now; // the balancer does not read: the client cannot be late
          arm(now + body);
        } else if (now - lastBodyRead < body) {
          arm(lastBodyRead + body);
        } else {
          stats.bodyTimeouts.increment();
          stop();
          ctx.fireUserEventTriggered(BODY_STALLED);
        }
      }
      case BUSY -> {
        // an exchange is under way: the response timeout is FrontendHandler's
      }
    }
  }

  private void headTimedOut() {
    stats.headerTimeouts.increment();
    stop();
    var res =
        FrontendHandler.error(
            HttpResponseStatus.REQUEST_TIMEOUT,
            "the request head did not arrive within "
                + config.headerTimeout().toMillis()
                + " ms (header-timeout)");
    HttpUtil.setKeepAlive(res, false);
    ctx.writeAndFlush(FrontendHandler.encode(res, ctx.alloc()))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
