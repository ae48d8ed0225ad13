package dev.cohort.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.net.InetSocketAddress;
import java.util.List;

/** What every connection handler of one balancer shares. Immutable wiring; thread-safe. */
final class ProxyContext {
  /** Longest response or request line accepted from a backend. */
  static final int MAX_INITIAL_LINE = 8192;

  /** Largest piece of a body handed on at once; bodies are streamed in pieces of this size. */
  static final int MAX_CHUNK = 16 * 1024;

  /**
   * How much each socket read asks for: adaptive, as Netty's default, but never below 1 KiB. With
   * Netty's default floor of 64 bytes the guess shrinks to the size of the small messages a
   * connection carries; a message that fills the guessed buffer exactly makes the loop read again
   * and get nothing back (one wasted system call for about one small response in sixteen, seen with
   * strace under wrk).
   */
  static final RecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(1024, 2048, 65536);

  /**
   * The buffers of every client and backend connection: Netty's pooled allocator (thread-local
   * caches of size classes), not 4.2's default adaptive one. In interleaved runs under {@code wrk
   * -c50} it cost the balancer about a quarter less CPU per request (30-35 against 40-42 ms per
   * 1000 requests); the adaptive allocator's per-buffer recycling showed in the profile.
   */
  static final PooledByteBufAllocator BUFFERS = PooledByteBufAllocator.DEFAULT;

  final BalancerConfig config;
  final List<BackendState> backends;
  final Router router;
  final Stats stats;
  final AdminPages admin;
  final LocalAnswers local;
  final TrustedProxies trusted;

  ProxyContext(BalancerConfig config, List<BackendState> backends, Stats stats) {
    this.config = config;
    this.backends = backends;
    this.router = new Router(backends, config.policy());
    this.stats = stats;
    this.admin = new AdminPages(this);
    this.local = new LocalAnswers(this);
    this.trusted = TrustedProxies.parse(config.trustedProxies());
  }

  /**
   * Sets up a client connection: {@link ClientTimeouts} around Netty's {@link HttpRequestDecoder}
   * (bounded line and headers: 414/431/400), responses written as bytes by {@link FrontendHandler}.
   */
  void initClient(Channel ch) {
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(Math.max(MAX_INITIAL_LINE, config.maxHeaderBytes()))
            .setMaxHeaderSize(config.maxHeaderBytes())
            .setMaxChunkSize(MAX_CHUNK);
    ClientTimeouts timeouts = new ClientTimeouts(config, stats);
    ch.pipeline()
        .addLast(timeouts.bytes)
        .addLast(new HttpRequestDecoder(decoder))
        .addLast(timeouts.messages)
        .addLast(new FrontendHandler(this, timeouts));
  }

  /** Opens a new connection to {@code b} on {@code loop} (the client connection's loop). */
  ChannelFuture connect(BackendState b, EventLoop loop) {
    return new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.RCVBUF_ALLOCATOR, READS)
        .option(ChannelOption.ALLOCATOR, BUFFERS)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(new HttpRequestEncoder())
                    .addLast(
                        new BackendHandler(
                            b, MAX_INITIAL_LINE + config.maxHeaderBytes(), ch.alloc()));
              }
            })
        .connect(InetSocketAddress.createUnresolved(b.backend.host(), b.backend.port()));
  }
}
