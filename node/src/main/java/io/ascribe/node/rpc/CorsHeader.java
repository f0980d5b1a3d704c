package io.ascribe.node.rpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds {@code Access-Control-Allow-Origin: *} to every HTTP response on the RPC port, refusals
 * included, so browser wallets and dapps on any origin can read the answers. The RPC port holds no
 * cookies or sessions, so an open origin gives a page nothing it could not fetch itself.
 */
final class CorsHeader extends ChannelOutboundHandlerAdapter {
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }
    ctx.write(msg, promise);
  }
}
