package dev.cohort.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of a backend connection: reads the backend's responses with a {@link ResponseParser}
 * (no header objects; the original bytes go on to the client) and hands each part to the client
 * connection that currently owns this connection ({@link #owner}); an idle (pooled) connection that
 * closes is forgotten by its pool, one that sends bytes while idle is closed. One instance per
 * backend connection, reused across requests.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter implements ResponseParser.Sink {
  final BackendState backend;
  final ResponseParser parser;
  private ChannelHandlerContext ctx;

  /** The exchange using this connection; null while idle. Touched on the channel's loop only. */
  FrontendHandler owner;

  BackendHandler(BackendState backend, int maxHead, ByteBufAllocator alloc) {
    this.backend = backend;
    this.parser = new ResponseParser(maxHead, alloc, this);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      parser.feed(b);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void onHead(ResponseParser head) {
    FrontendHandler o = owner;
    if (o != null) {
      o.onBackendHead(head);
    } else {
      idleBytes();
    }
  }

  @Override
  public void onBody(ByteBuf piece, boolean last) {
    FrontendHandler o = owner;
    if (o != null) {
      o.onBackendBody(piece, last);
    } else {
      piece.release();
      idleBytes();
    }
  }

  @Override
  public void onRelay(ByteBuf bytes) {
    FrontendHandler o = owner;
    if (o != null) {
      o.onBackendRelay(bytes);
    } else {
      bytes.release();
      idleBytes();
    }
  }

  @Override
  public void onMalformed(String why) {
    // closing tells the owner (channelInactive): it retries or answers 502
    ctx.close();
  }

  /** Bytes on an idle connection: the connection is no longer in a known state. */
  private void idleBytes() {
    parser.stop();
    ctx.close();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    FrontendHandler o = owner;
    if (o != null) {
      o.flushClient();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    FrontendHandler o = owner;
    if (o != null) {
      o.onBackendWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    parser.end(); // a body that runs to the end of the connection ends here
    FrontendHandler o = owner;
    owner = null;
    if (o != null) {
      o.onBackendClosed(ctx.channel());
    } else {
      backend.forget(ctx.channel());
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    parser.release();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // an I/O error: the connection is closed and channelInactive tells the owner, which answers
    // 502 or retries
    ctx.close();
  }
}
