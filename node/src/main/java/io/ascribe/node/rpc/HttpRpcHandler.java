package io.ascribe.node.rpc;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * Serves the plain HTTP side of the RPC port: JSON-RPC by POST to {@code /}, a liveness check at
 * GET {@code /health}, and CORS preflight. WebSocket upgrades to {@code /ws} are taken by the
 * handler before this one and never reach it. Failures pass on to the last handler, {@link
 * WebSocketRpcHandler}, which logs and closes for both kinds of connection.
 */
final class HttpRpcHandler extends ChannelInboundHandlerAdapter {
  private final RpcDispatcher dispatcher;
  private final Executor pool;
  private OrderedCalls calls;

  HttpRpcHandler(RpcDispatcher dispatcher, Executor pool) {
    this.dispatcher = dispatcher;
    this.pool = pool;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    calls = new OrderedCalls(ctx.channel(), pool);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      handle(ctx, request);
    } finally {
      request.release();
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      answer(ctx, false, HttpResponseStatus.BAD_REQUEST, HttpResponses.TEXT, "malformed request");
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    HttpMethod method = request.method();
    switch (path) {
      case "/" -> {
        if (method.equals(HttpMethod.POST)) {
          call(ctx, request, keepAlive);
        } else if (method.equals(HttpMethod.OPTIONS)) {
          preflight(ctx, keepAlive);
        } else {
          notAllowed(ctx, keepAlive, "POST, OPTIONS");
        }
      }
      case "/health" -> {
        if (method.equals(HttpMethod.GET)) {
          answer(ctx, keepAlive, HttpResponseStatus.OK, HttpResponses.TEXT, "ok");
        } else {
          notAllowed(ctx, keepAlive, "GET");
        }
      }
      default ->
          answer(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, HttpResponses.TEXT, "not found");
    }
  }

  private void call(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    CharSequence mime = HttpUtil.getMimeType(request);
    if (mime == null || !mime.toString().trim().equalsIgnoreCase(HttpResponses.JSON)) {
      String sentence = "the Content-Type must be application/json, got '" + type + "'";
      answer(
          ctx,
          keepAlive,
          HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          HttpResponses.JSON,
          dispatcher.refusal(RpcException.invalidRequest(sentence)));
      return;
    }
    // Copied so the pooled buffer is released on the event loop, not on a handler thread.
    byte[] body = ByteBufUtil.getBytes(request.content());
    calls.submit(
        () -> dispatcher.dispatch(body, null),
        response -> {
          if (response == null) {
            // Only notifications: JSON-RPC sends nothing back, HTTP needs a status.
            reply(ctx, keepAlive, HttpResponseStatus.NO_CONTENT, HttpResponses.JSON, "");
          } else {
            reply(ctx, keepAlive, HttpResponseStatus.OK, HttpResponses.JSON, response);
          }
        },
        () ->
            reply(
                ctx,
                keepAlive,
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                HttpResponses.JSON,
                dispatcher.busy()));
  }

  private static void reply(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      HttpResponseStatus status,
      String contentType,
      String body) {
    HttpResponses.send(ctx, keepAlive, status, contentType, body);
  }

  // Answers that need no handler thread still queue behind earlier requests, so pipelined
  // responses leave in order.
  private void answer(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      HttpResponseStatus status,
      String contentType,
      String body) {
    calls.submitNow(() -> reply(ctx, keepAlive, status, contentType, body));
  }

  private void preflight(ChannelHandlerContext ctx, boolean keepAlive) {
    calls.submitNow(() -> sendPreflight(ctx, keepAlive));
  }

  private void notAllowed(ChannelHandlerContext ctx, boolean keepAlive, String allowed) {
    calls.submitNow(() -> sendNotAllowed(ctx, keepAlive, allowed));
  }

  private static void sendPreflight(ChannelHandlerContext ctx, boolean keepAlive) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET, OPTIONS");
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
    HttpResponses.send(ctx, keepAlive, response);
  }

  private static void sendNotAllowed(ChannelHandlerContext ctx, boolean keepAlive, String allowed) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            Unpooled.copiedBuffer("method not allowed", StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.ALLOW, allowed);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.TEXT);
    HttpResponses.send(ctx, keepAlive, response);
  }
}
