package dev.cohort.balancer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of a backend connection. Hands every message to the client connection that currently
 * owns this connection ({@link #owner}); an idle (pooled) connection that closes is forgotten by
 * its pool. One instance per backend connection, reused across requests.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  final BackendState backend;

  /** The exchange using this connection; null while idle. Touched on the channel's loop only. */
  FrontendHandler owner;

  BackendHandler(BackendState backend) {
    this.backend = backend;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    FrontendHandler o = owner;
    if (o != null) {
      o.onBackendMessage(msg);
    } else {
      // bytes on an idle connection: the connection is no longer in a known state
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
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
    FrontendHandler o = owner;
    owner = null;
    if (o != null) {
      o.onBackendClosed(ctx.channel());
    } else {
      backend.forget(ctx.channel());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // an I/O error or a malformed response: the connection is closed and channelInactive tells
    // the owner, which answers 502 or retries
    ctx.close();
  }
}
