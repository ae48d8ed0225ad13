package dev.cohort.balancer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Processes for {@code scripts/bench-balancer} (not a test):
 *
 * <ul>
 *   <li>{@code backend <route> <port>}: a small, fast Netty HTTP backend (one thread) answering
 *       {@code <route>} with {@code X-Route} and a {@code JSESSIONID=<hex>.<route>} cookie.
 *   <li>{@code balancer <port> <route=uri>...}: the Cohort balancer with default settings.
 * </ul>
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("backend")) {
      backend(args[1], Integer.parseInt(args[2]));
    } else if (args.length >= 3 && args[0].equals("balancer")) {
      List<Backend> backends = new ArrayList<>();
      for (int i = 2; i < args.length; i++) {
        backends.add(Backend.parse(args[i]));
      }
      Balancer b =
          new Balancer(
              BalancerConfig.defaults(backends)
                  .withPort(Integer.parseInt(args[1]))
                  .withAdminPort(0)
                  .withHealthInterval(Duration.ofSeconds(1)));
      b.start();
      System.out.println("PORT " + b.port());
      Thread.currentThread().join();
    } else {
      System.err.println(
          "usage: BenchMain backend <route> <port> | balancer <port> <route=uri>...");
      System.exit(2);
    }
  }

  private static void backend(String route, int port) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    byte[] body = (route + "\n").getBytes(StandardCharsets.UTF_8);
    String cookie = "JSESSIONID=" + Long.toHexString(System.nanoTime()) + "." + route + "; Path=/";
    new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(1 << 20))
                    .addLast(
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                          @Override
                          protected void channelRead0(
                              ChannelHandlerContext ctx, FullHttpRequest req) {
                            ByteBuf content = Unpooled.wrappedBuffer(body);
                            FullHttpResponse res =
                                new DefaultFullHttpResponse(
                                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
                            res.headers()
                                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                                .set("X-Route", route);
                            if (!req.headers().contains(HttpHeaderNames.COOKIE)) {
                              res.headers().set(HttpHeaderNames.SET_COOKIE, cookie);
                            }
                            boolean keepAlive = HttpUtil.isKeepAlive(req);
                            HttpUtil.setKeepAlive(res, keepAlive);
                            if (keepAlive) {
                              ctx.write(res);
                            } else {
                              ctx.write(res)
                                  .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                            }
                          }

                          @Override
                          public void channelReadComplete(ChannelHandlerContext ctx) {
                            ctx.flush();
                          }
                        });
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.out.println("PORT " + port);
    Thread.currentThread().join();
  }
}
