package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A WebSocket session through the balancer to a tiny Netty echo backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketIT extends ItSupport {

  @Test
  void webSocketEchoWorksThroughTheBalancer() throws Exception {
    EchoBackend echo = closeLater(new EchoBackend());
    Balancer balancer =
        balancer(
            config(List.of(new Backend("w1", URI.create("http://127.0.0.1:" + echo.port), 1))));

    List<String> received = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> gotAll = new CompletableFuture<>();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(
                URI.create("ws://127.0.0.1:" + balancer.port() + "/ws"),
                new WebSocket.Listener() {
                  private final StringBuilder message = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    message.append(data);
                    if (last) {
                      received.add(message.toString());
                      message.setLength(0);
                    }
                    if (received.size() == 3) {
                      gotAll.complete(null);
                    }
                    w.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    String big = "x".repeat(100_000);
    ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
    ws.sendText("world", true).get(5, TimeUnit.SECONDS);
    ws.sendText(big, true).get(5, TimeUnit.SECONDS);
    gotAll.get(10, TimeUnit.SECONDS);
    assertThat(received).containsExactly("echo: hello", "echo: world", "echo: " + big);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    assertThat(balancer.statusJson()).contains("\"upgrades\":1");
  }

  /** Netty WebSocket server on /ws that answers every text frame with "echo: " + text. */
  static final class EchoBackend implements AutoCloseable {
    private final EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    final int port;

    EchoBackend() throws InterruptedException {
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(64 * 1024))
                          .addLast(new WebSocketServerProtocolHandler("/ws", null, false, 1 << 20))
                          .addLast(new WebSocketFrameAggregator(1 << 20))
                          .addLast(new PlainHttp())
                          .addLast(new Echo());
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
      server.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Health checks and other plain requests: 200. */
  static final class PlainHttp extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      DefaultFullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK,
              Unpooled.copiedBuffer("ok\n", StandardCharsets.UTF_8));
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 3);
      ctx.writeAndFlush(res);
    }
  }

  static final class Echo extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
    }
  }
}
