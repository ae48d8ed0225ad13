package dev.cohort.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: parses requests, picks a backend, streams the request to a pooled backend
 * connection on the same event loop and the response back, with back-pressure both ways (a side
 * that cannot write stops the other side's reads). One exchange at a time; pipelined requests wait
 * in {@link #queued} with reading paused.
 *
 * <p>Failure rules: a failed connect marks the backend down and goes to another backend whatever
 * the method (nothing was sent); a backend that fails before its first response byte gets an
 * idempotent request retried once on another backend (its body, up to {@link #REPLAY_LIMIT} bytes,
 * is kept for that; a close on a kept-alive connection from the pool does not use up that retry,
 * and no backend is tried twice), any other request gets 502; a backend that stays silent for the
 * response timeout gets 504; a failure after the first response byte closes the client connection
 * (the response cannot be repaired).
 *
 * <p>Threading: everything runs on the client channel's event loop, which is also the loop of its
 * backend connections.
 *
 * <p>Why one long class: it is the state machine of one exchange (idle, connecting, streaming the
 * request, streaming the response, retrying, relaying), and every step reads and writes the same
 * dozen fields; split over classes, those fields would have to be shared mutable state. The
 * routing, health, header rules, pages, refusals, read timeouts and pool live elsewhere ({@link
 * Router}, {@link HealthChecker}, {@link Headers}, {@link AdminPages}, {@link LocalAnswers}, {@link
 * ClientTimeouts}, {@link BackendState}).
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
  /** Request body bytes kept so that an idempotent request can be sent a second time. */
  static final int REPLAY_LIMIT = 64 * 1024;

  private static final short CRLF = ('\r' << 8) | '\n';
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private enum Mode {
    IDLE,
    PROXY,
    DISCARD
  }

  private final ProxyContext proxy;
  private final ClientTimeouts timeouts;
  private ChannelHandlerContext ctx;
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private boolean relay;
  private String clientIp;
  private boolean clientTrusted;
  private boolean inClientRead;

  /** True while the codecs leave the pipelines after a 101; bytes wait in the lists below. */
  private boolean switching;

  private List<Object> heldForBackend;
  private List<Object> heldForClient;

  // the current exchange
  private Mode mode = Mode.IDLE;
  private HttpRequest request;
  private String sessionId;
  private boolean idempotent;
  private boolean webSocket;
  private boolean clientKeepAlive;
  private boolean clientHttp10;
  private boolean requestDone;
  private boolean responseStarted;
  private boolean responseDone;
  private boolean backendKeepAlive;
  private boolean backendReusable;
  private boolean chunkToClient;
  private boolean retried;

  /**
   * The current backend connection came from the idle pool: a close before any answer on it says
   * the node died or closed it idly, not that the request broke it, so the retry after it does not
   * use up the one retry (each backend is still tried at most once).
   */
  private boolean reusedConnection;

  /**
   * The backend answered 503 to a retryable request: its answer is dropped, the request retried.
   */
  private boolean unavailable;

  private BackendState backend;
  private Channel backendChannel;
  private BackendHandler backendHandler;
  private final List<HttpContent> unsent = new ArrayList<>(4);
  private final List<HttpContent> replay = new ArrayList<>(4);
  private int replayBytes;
  private boolean replayable;
  private List<BackendState> tried;
  private ScheduledFuture<?> timer;
  private boolean waiting;
  private long lastBackendActivity;

  private boolean pausedForBackend;
  private boolean pausedForConnect;

  FrontendHandler(ProxyContext proxy, ClientTimeouts timeouts) {
    this.proxy = proxy;
    this.timeouts = timeouts;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  // ---- client side ------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (switching) {
      heldForBackend.add(msg);
      return;
    }
    if (relay) {
      if (backendChannel != null && backendChannel.isActive()) {
        send(backendChannel, msg);
        if (!backendChannel.isWritable()) {
          pausedForBackend = true;
          updateAutoRead();
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    if (!queued.isEmpty() || (mode != Mode.IDLE && requestDone)) {
      queued.add(msg);
      updateAutoRead();
      return;
    }
    inClientRead = true;
    try {
      dispatch(msg);
    } finally {
      inClientRead = false;
    }
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest req) {
      onRequest(req);
    } else if (msg instanceof HttpContent c) {
      onRequestContent(c);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (backendChannel != null) {
      backendChannel.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && backendChannel != null) {
      backendChannel.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    while (!queued.isEmpty()) {
      ReferenceCountUtil.release(queued.poll());
    }
    if (mode == Mode.PROXY && !responseDone && !relay && responseStarted) {
      proxy.stats.truncated.increment();
    }
    abandonBackend();
    stopTimer();
    resetExchange();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ClientTimeouts.BODY_STALLED) {
      onBodyStalled();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** The client stopped sending its request body (body-timeout): 408, or a close mid-response. */
  private void onBodyStalled() {
    if (mode == Mode.IDLE || requestDone) {
      return;
    }
    if (responseStarted) {
      ctx.close();
      return;
    }
    abandonBackend();
    reject(
        HttpResponseStatus.REQUEST_TIMEOUT,
        "the request body stalled for "
            + proxy.config.bodyTimeout().toMillis()
            + " ms (body-timeout)",
        false);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // I/O error on the client connection (reset, broken pipe): nothing to answer
    ctx.close();
  }

  private void onRequest(HttpRequest req) {
    proxy.stats.requests.increment();
    if (req.decoderResult().isFailure()) {
      rejectMalformed(req.decoderResult().cause());
      return;
    }
    request = req;
    requestDone = false;
    responseStarted = false;
    responseDone = false;
    clientKeepAlive = HttpUtil.isKeepAlive(req);
    clientHttp10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
    if (HttpUtil.is100ContinueExpected(req)) {
      // the client waits for this before it sends the body; the backend never sees the Expect
      ctx.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE), ctx.voidPromise());
    }
    if (req instanceof HttpContent c) {
      // never produced by the codec, but harmless to handle
      onRequestContent(c);
    }
    FullHttpResponse local = proxy.local.answer(req);
    if (local != null) {
      mode = Mode.DISCARD;
      boolean malformed = local.status().equals(HttpResponseStatus.BAD_REQUEST);
      if (malformed) {
        requestDone = true; // the rest of the connection is not read
        clientKeepAlive = false;
      }
      respond(local, malformed);
      return;
    }
    sessionId = SessionIds.find(req);
    idempotent = Headers.idempotent(req.method());
    webSocket = Headers.isWebSocketUpgrade(req);
    if (clientIp == null) {
      clientIp = Headers.ip(ctx.channel().remoteAddress());
      clientTrusted = proxy.trusted.contains(ctx.channel().remoteAddress());
    }
    Headers.forRequest(req, clientIp, clientTrusted, webSocket);
    BackendState b = proxy.router.pick(sessionId, null);
    if (b == null) {
      proxy.stats.noBackend.increment();
      mode = Mode.DISCARD;
      respond(
          error(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "no backend is up (or all are draining) — check /balancer/status and the nodes'"
                  + " /cohort/health"),
          false);
      return;
    }
    mode = Mode.PROXY;
    replayable = true;
    retried = false;
    unavailable = false;
    backendReusable = true;
    connect(b);
  }

  private void onRequestContent(HttpContent c) {
    boolean last = c instanceof LastHttpContent;
    if (mode == Mode.IDLE) {
      c.release();
      return;
    }
    if (c.decoderResult().isFailure()) {
      c.release();
      if (!responseStarted && mode == Mode.PROXY) {
        abandonBackend();
      }
      if (!responseStarted) {
        rejectMalformed(c.decoderResult().cause());
      } else {
        ctx.close();
      }
      return;
    }
    if (mode == Mode.DISCARD) {
      c.release();
      if (last) {
        requestDone = true;
        if (responseDone) {
          finishExchange();
        }
      }
      return;
    }
    if (last) {
      requestDone = true;
    }
    if (responseDone) {
      // the backend already answered: the rest is dropped, never buffered, however long the body
      c.release();
    } else if (backendChannel == null) {
      if (replayable) {
        keepForReplay(c);
      }
      unsent.add(c);
    } else {
      if (replayable) {
        keepForReplay(c);
      }
      send(backendChannel, c);
      if (!backendChannel.isWritable()) {
        pausedForBackend = true;
        updateAutoRead();
      }
    }
    if (last) {
      if (responseDone) {
        finishExchange();
      } else if (backendChannel != null) {
        armTimer();
      }
    }
  }

  private void keepForReplay(HttpContent c) {
    int n = c.content().readableBytes();
    if (!idempotent || replayBytes + n > REPLAY_LIMIT) {
      replayable = false;
      releaseAll(replay);
      return;
    }
    replayBytes += n;
    replay.add(c.retainedDuplicate());
  }

  // ---- connecting -------------------------------------------------------------------------

  private void connect(BackendState b) {
    backend = b;
    b.inFlight.incrementAndGet();
    b.requests.increment();
    Channel idle = b.acquire(ctx.channel().eventLoop());
    reusedConnection = idle != null;
    if (idle != null) {
      // while reading the client, channelReadComplete flushes once for the whole batch
      attach(idle, !inClientRead);
      return;
    }
    pausedForConnect = true;
    updateAutoRead();
    ChannelFuture f = proxy.connect(b, ctx.channel().eventLoop());
    f.addListener((ChannelFutureListener) future -> onConnected(b, future));
  }

  private void onConnected(BackendState b, ChannelFuture future) {
    if (backend != b || mode != Mode.PROXY || backendChannel != null) {
      // the client went away or the exchange ended meanwhile
      if (future.isSuccess()) {
        future.channel().close();
      }
      return;
    }
    pausedForConnect = false;
    if (future.isSuccess()) {
      attach(future.channel(), true);
      updateAutoRead();
      return;
    }
    Throwable cause = future.cause();
    b.inFlight.decrementAndGet();
    b.failures.increment();
    if (cause instanceof ConnectException) {
      b.markDown("connect failed (" + cause.getClass().getSimpleName() + ")");
    }
    if (tried == null) {
      tried = new ArrayList<>(2);
    }
    tried.add(b);
    backend = null;
    BackendState next = proxy.router.pick(sessionId, tried);
    if (next != null) {
      proxy.stats.retries.increment();
      b.retries.increment();
      connect(next);
      return;
    }
    proxy.stats.badGateway.increment();
    failBeforeResponse(
        HttpResponseStatus.BAD_GATEWAY,
        "no backend accepted the connection (tried "
            + tried.size()
            + ") — check that the nodes run and /balancer/status");
  }

  private void attach(Channel ch, boolean flush) {
    backendChannel = ch;
    backendHandler = ch.pipeline().get(BackendHandler.class);
    backendHandler.owner = this;
    backendKeepAlive = true;
    lastBackendActivity = System.nanoTime();
    backendHandler.parser.expect(request.method().equals(HttpMethod.HEAD));
    send(ch, request);
    for (int i = 0; i < unsent.size(); i++) {
      send(ch, unsent.get(i));
    }
    unsent.clear();
    if (flush) {
      ch.flush();
    }
    if (!ch.isWritable()) {
      pausedForBackend = true;
    }
    updateAutoRead();
    if (requestDone) {
      armTimer();
    }
  }

  // ---- backend side -----------------------------------------------------------------------

  /** A response head from the backend (see {@link ResponseParser.Sink#onHead}). */
  void onBackendHead(ResponseParser head) {
    lastBackendActivity = System.nanoTime();
    int code = head.code();
    if (code >= 100 && code < 200 && code != 101) {
      // interim response (we answer Expect: 100-continue ourselves): not for the client
      return;
    }
    if (code == 503 && idempotent && replayable && requestDone && otherBackendUp()) {
      // a node that is stopping answers 503 for a moment (its context stops before its
      // connector), and a Cohort node answers 503 to a request whose session another node took
      // over meanwhile: another node can answer it — HAProxy's "retry-on 503". Each backend is
      // tried at most once (otherBackendUp skips those already tried): at most one try per node
      unavailable = true;
      backendReusable = false;
      head.stop();
      backendChannel.close(); // onBackendClosed retries: no response byte has gone to the client
      return;
    }
    if (code == 101) {
      if (!webSocket) {
        head.stop();
        // switching protocols without being asked to: not a response we can relay
        backendReusable = false;
        backendChannel.close();
        return;
      }
      responseStarted = true;
      proxy.stats.upgrades.increment();
      toClient(head.raw());
      switchToRelay(); // the bytes after the head come as onBackendRelay
      return;
    }
    responseStarted = true;
    backendKeepAlive = head.keepAlive();
    boolean bodyless = head.bodyless();
    boolean chunked = head.chunked();
    boolean hasLength = head.contentLength() >= 0;
    boolean http10 = clientHttp10;
    chunkToClient = false;
    if (!bodyless && !hasLength) {
      if (http10) {
        // an HTTP/1.0 client reads to the end of the connection
        clientKeepAlive = false;
        if (chunked) {
          head.dechunk();
        }
      } else if (!chunked) {
        chunkToClient = true; // a body up to the backend's close goes to the client in chunks
      }
    }
    if (!requestDone) {
      // the backend answers before the request body ended: the client connection closes after
      clientKeepAlive = false;
    }
    boolean chunkedOut = !http10 && (chunked || chunkToClient);
    toClient(head.forClient(http10, clientKeepAlive, chunkedOut));
  }

  /** A piece of the response body; {@code last} ends the response. */
  void onBackendBody(ByteBuf piece, boolean last) {
    lastBackendActivity = System.nanoTime();
    if (unavailable || !responseStarted) {
      piece.release();
      return;
    }
    if (chunkToClient) {
      writeChunk(piece, last);
    } else if (piece.isReadable()) {
      toClient(piece);
    } else {
      piece.release();
    }
    if (last) {
      responseDone = true;
      cancelTimer();
      if (requestDone) {
        finishExchange();
      } else {
        // the backend answered before reading the whole body: that connection is spent; the rest
        // of the body is read and dropped, then the client connection closes
        backendReusable = false;
        ctx.flush();
      }
    } else if (!ctx.channel().isWritable()) {
      backendChannel.config().setAutoRead(false);
    }
  }

  /** Writes a body piece as one chunk (and the last chunk after it when {@code last}). */
  private void writeChunk(ByteBuf piece, boolean last) {
    if (piece.isReadable()) {
      ByteBuf size = ctx.alloc().buffer(12);
      size.writeCharSequence(Integer.toHexString(piece.readableBytes()), StandardCharsets.US_ASCII);
      size.writeShort(CRLF);
      toClient(size);
      toClient(piece);
      toClient(ctx.alloc().buffer(2).writeShort(CRLF));
    } else {
      piece.release();
    }
    if (last) {
      toClient(Unpooled.wrappedBuffer(LAST_CHUNK));
    }
  }

  /** Bytes from the backend after a 101. */
  void onBackendRelay(ByteBuf bytes) {
    lastBackendActivity = System.nanoTime();
    if (switching) {
      heldForClient.add(bytes);
      return;
    }
    if (!relay) {
      bytes.release();
      return;
    }
    toClient(bytes);
    if (!ctx.channel().isWritable()) {
      backendChannel.config().setAutoRead(false);
    }
  }

  /** After a 101 both connections become byte pipes: the HTTP codecs leave both pipelines. */
  private void switchToRelay() {
    relay = true;
    switching = true;
    heldForBackend = new ArrayList<>(2);
    heldForClient = new ArrayList<>(2);
    cancelTimer();
    releaseAll(replay);
    // bytes a codec had buffered come out as ByteBufs when it is removed: hold them until
    // neither pipeline has an HTTP codec left
    ctx.pipeline().remove(HttpRequestDecoder.class);
    backendChannel.pipeline().remove(HttpRequestEncoder.class);
    switching = false;
    for (Object m : heldForBackend) {
      writeRaw(backendChannel, m);
    }
    for (Object m : heldForClient) {
      writeRaw(ctx.channel(), m);
    }
    heldForBackend = null;
    heldForClient = null;
    while (!queued.isEmpty()) {
      writeRaw(backendChannel, queued.poll());
    }
    backendChannel.flush();
    ctx.flush();
    updateAutoRead();
  }

  /**
   * Writes a proxied message without a promise of its own (none is ever listened to, and one per
   * message is garbage). A write that fails fires {@code exceptionCaught} in that channel's
   * pipeline, which closes the channel: for a backend connection, {@link #onBackendClosed} then
   * retries or answers 502, as for any other backend failure.
   */
  private static void send(Channel ch, Object msg) {
    ch.write(msg, ch.voidPromise());
  }

  /** {@link #send} to the client connection. */
  private void toClient(Object msg) {
    ctx.write(msg, ctx.voidPromise());
  }

  private static void writeRaw(Channel ch, Object m) {
    if (m instanceof ByteBuf) {
      send(ch, m);
    } else {
      ReferenceCountUtil.release(m);
    }
  }

  void flushClient() {
    ctx.flush();
  }

  void onBackendWritabilityChanged(boolean writable) {
    if (writable && pausedForBackend) {
      pausedForBackend = false;
      updateAutoRead();
    }
  }

  void onBackendClosed(Channel ch) {
    if (ch != backendChannel) {
      return;
    }
    if (relay) {
      backendChannel = null;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    BackendState b = backend;
    releaseBackend(false);
    if (responseDone) {
      return;
    }
    b.failures.increment();
    if (responseStarted) {
      proxy.stats.truncated.increment();
      ctx.close();
      return;
    }
    cancelTimer();
    if (idempotent && replayable && (!retried || unavailable || reusedConnection)) {
      if (tried == null) {
        tried = new ArrayList<>(2);
      }
      tried.add(b);
      BackendState next = proxy.router.pick(sessionId, tried);
      if (next != null) {
        retried |= !reusedConnection;
        unavailable = false;
        proxy.stats.retries.increment();
        b.retries.increment();
        for (int i = 0; i < replay.size(); i++) {
          unsent.add(replay.get(i).retainedDuplicate());
        }
        connect(next);
        return;
      }
    }
    proxy.stats.badGateway.increment();
    failBeforeResponse(
        HttpResponseStatus.BAD_GATEWAY,
        "the backend closed the connection before answering"
            + (idempotent ? "" : " (not retried: " + request.method() + " is not idempotent)"));
  }

  /** Whether a backend other than the current (and any already tried) could take a retry. */
  private boolean otherBackendUp() {
    List<BackendState> exclude = new ArrayList<>(2);
    if (tried != null) {
      exclude.addAll(tried);
    }
    exclude.add(backend);
    return proxy.router.pick(sessionId, exclude) != null;
  }

  /**
   * Starts the wait for the response. The timer task is per connection and lazy: it is scheduled at
   * most once per timeout period and re-arms itself only while an exchange waits, so a fast
   * exchange costs no scheduling at all.
   */
  private void armTimer() {
    waiting = true;
    lastBackendActivity = System.nanoTime();
    if (timer == null) {
      long nanos = proxy.config.responseTimeout().toNanos();
      timer = ctx.executor().schedule(this::onTimer, nanos, TimeUnit.NANOSECONDS);
    }
  }

  private void cancelTimer() {
    waiting = false;
  }

  private void stopTimer() {
    waiting = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void onTimer() {
    timer = null;
    if (!waiting || mode != Mode.PROXY || responseDone || relay || backendChannel == null) {
      return;
    }
    long timeout = proxy.config.responseTimeout().toNanos();
    long idle = System.nanoTime() - lastBackendActivity;
    if (idle < timeout) {
      timer = ctx.executor().schedule(this::onTimer, timeout - idle, TimeUnit.NANOSECONDS);
      return;
    }
    BackendState b = backend;
    b.failures.increment();
    releaseBackend(false);
    proxy.stats.timeouts.increment();
    if (responseStarted) {
      ctx.close();
      return;
    }
    failBeforeResponse(
        HttpResponseStatus.GATEWAY_TIMEOUT,
        "backend "
            + b.backend.route()
            + " did not answer within "
            + proxy.config.responseTimeout().toMillis()
            + " ms (response-timeout)");
  }

  // ---- ending an exchange -----------------------------------------------------------------

  private void failBeforeResponse(HttpResponseStatus status, String why) {
    mode = Mode.DISCARD;
    releaseAll(unsent);
    releaseAll(replay);
    boolean close = !requestDone;
    respond(error(status, why), close);
  }

  /** Writes a whole response and, once the request is read too, ends the exchange. */
  private void respond(FullHttpResponse res, boolean close) {
    responseStarted = true;
    responseDone = true;
    boolean keepAlive = clientKeepAlive && !close;
    if (clientHttp10) {
      res.setProtocolVersion(HttpVersion.HTTP_1_0);
    }
    HttpUtil.setKeepAlive(res, keepAlive);
    if (request != null && request.method().equals(HttpMethod.HEAD)) {
      res.content().clear();
    }
    ChannelFuture f = ctx.writeAndFlush(encode(res, ctx.alloc()));
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
      clientKeepAlive = false;
    }
    if (requestDone) {
      finishExchange();
    }
  }

  private void finishExchange() {
    cancelTimer();
    releaseBackend(backendReusable && backendKeepAlive);
    releaseAll(unsent);
    releaseAll(replay);
    boolean keepAlive = clientKeepAlive;
    resetExchange();
    if (!keepAlive) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.flush();
    while (!queued.isEmpty() && !(mode != Mode.IDLE && requestDone) && !relay) {
      dispatch(queued.poll());
    }
    updateAutoRead();
    if (mode == Mode.IDLE && !relay) {
      timeouts.idle();
    }
  }

  /** Detaches the backend connection: back to the pool, or closed. */
  private void releaseBackend(boolean reuse) {
    Channel ch = backendChannel;
    if (ch == null) {
      if (backend != null) {
        backend.inFlight.decrementAndGet();
        backend = null;
      }
      return;
    }
    backendChannel = null;
    backendHandler.owner = null;
    backendHandler = null;
    backend.inFlight.decrementAndGet();
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
    if (reuse && ch.isActive()) {
      backend.release(ch);
    } else {
      ch.close();
    }
    backend = null;
    pausedForBackend = false;
  }

  private void abandonBackend() {
    cancelTimer();
    if (backendChannel != null || backend != null) {
      releaseBackend(false);
    }
    releaseAll(unsent);
    releaseAll(replay);
  }

  private void resetExchange() {
    mode = Mode.IDLE;
    request = null;
    sessionId = null;
    tried = null;
    replayBytes = 0;
    pausedForConnect = false;
  }

  private void rejectMalformed(Throwable cause) {
    HttpResponseStatus status;
    String why;
    if (cause instanceof TooLongHttpHeaderException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      why =
          "the request headers exceed "
              + proxy.config.maxHeaderBytes()
              + " bytes (max-header-bytes) — send fewer or smaller headers or cookies";
    } else if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      why = "the request line exceeds " + proxy.config.maxHeaderBytes() + " bytes";
    } else if (cause instanceof TooLongFrameException) {
      status = HttpResponseStatus.BAD_REQUEST;
      why = "a request element is too long";
    } else {
      status = HttpResponseStatus.BAD_REQUEST;
      why = "the request is not valid HTTP/1.1";
    }
    reject(status, why, true);
  }

  /** Answers {@code status} and closes the connection; the rest of it is not read. */
  private void reject(HttpResponseStatus status, String why, boolean malformed) {
    if (malformed) {
      proxy.stats.badRequests.increment();
    }
    mode = Mode.DISCARD;
    requestDone = true;
    clientKeepAlive = false;
    respond(error(status, why), true);
  }

  /** A whole response as bytes (the client pipeline has no HTTP encoder); releases {@code res}. */
  static ByteBuf encode(FullHttpResponse res, ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(256 + res.content().readableBytes());
    out.writeCharSequence(res.protocolVersion().text(), StandardCharsets.US_ASCII);
    out.writeByte(' ');
    out.writeCharSequence(res.status().codeAsText(), StandardCharsets.US_ASCII);
    out.writeByte(' ');
    out.writeCharSequence(res.status().reasonPhrase(), StandardCharsets.US_ASCII);
    out.writeShort(CRLF);
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = res.headers().iteratorCharSequence();
        it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> h = it.next();
      out.writeCharSequence(h.getKey(), StandardCharsets.US_ASCII);
      out.writeByte(':').writeByte(' ');
      out.writeCharSequence(h.getValue(), StandardCharsets.UTF_8);
      out.writeShort(CRLF);
    }
    out.writeShort(CRLF);
    out.writeBytes(res.content());
    res.release();
    return out;
  }

  static FullHttpResponse error(HttpResponseStatus status, String why) {
    byte[] body =
        (status.code() + " " + status.reasonPhrase() + ": " + why + "\n")
            .getBytes(StandardCharsets.UTF_8);
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body), false, false);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return res;
  }

  private void updateAutoRead() {
    boolean read = !pausedForBackend && !pausedForConnect && queued.isEmpty();
    if (ctx.channel().config().isAutoRead() != read) {
      ctx.channel().config().setAutoRead(read);
      if (read) {
        timeouts.resumed();
      }
    }
  }

  private static void releaseAll(List<HttpContent> list) {
    for (int i = 0; i < list.size(); i++) {
      ReferenceCountUtil.release(list.get(i));
    }
    list.clear();
  }
}
