package dev.cohort.balancer;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener's connections ({@code admin-bind:admin-port}, loopback by default): {@code
 * /balancer/status} and {@code /balancer/metrics} ({@link AdminPages}), nothing else, never
 * forwarded. Small requests only (a body over 8 KiB is refused); a connection silent for {@code
 * header-timeout} is closed.
 */
final class AdminListener extends ChannelInitializer<SocketChannel> {
  private static final int MAX_BODY = 8 * 1024;

  private final ProxyContext proxy;

  AdminListener(ProxyContext proxy) {
    this.proxy = proxy;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast(
            new ReadTimeoutHandler(proxy.config.headerTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast(
            new HttpServerCodec(ProxyContext.MAX_INITIAL_LINE, proxy.config.maxHeaderBytes(), 8192))
        .addLast(new HttpObjectAggregator(MAX_BODY))
        .addLast(new Pages());
  }

  private final class Pages extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      FullHttpResponse res;
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (req.decoderResult().isFailure()) {
        res = FrontendHandler.error(HttpResponseStatus.BAD_REQUEST, "not a valid HTTP request");
        keepAlive = false;
      } else {
        proxy.stats.adminRequests.increment();
        res = proxy.admin.handle(req);
      }
      HttpUtil.setKeepAlive(res, keepAlive);
      if (req.method().equals(HttpMethod.HEAD)) {
        res.content().clear();
      }
      var done = ctx.writeAndFlush(res);
      if (!keepAlive) {
        done.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // read timeout, reset: nothing to answer
    }
  }
}
