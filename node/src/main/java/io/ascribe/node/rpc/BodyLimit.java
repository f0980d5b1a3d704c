package io.ascribe.node.rpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates an HTTP request into one message, refusing a body over the limit with HTTP 413 and a
 * body the client can show (Netty's own refusal has none). When the client announced the length and
 * keeps the connection alive, the rest of the body is skipped and the connection stays usable;
 * otherwise it is closed, since the stream position is lost.
 */
final class BodyLimit extends HttpObjectAggregator {
  private static final Logger log = LoggerFactory.getLogger(BodyLimit.class);

  private final Function<String, String> refusal;

  /**
   * @param refusal makes the response body from a sentence naming the limit
   */
  BodyLimit(int maxBytes, Function<String, String> refusal) {
    super(maxBytes);
    this.refusal = refusal;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    boolean keepAlive =
        !(oversized instanceof FullHttpMessage)
            && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
    String sentence = "the request body exceeds the limit of " + maxContentLength() + " bytes";
    log.debug("Refused a request from {}: {}", ctx.channel().remoteAddress(), sentence);
    HttpResponses.send(
        ctx,
        keepAlive,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        HttpResponses.JSON,
        refusal.apply(sentence));
  }
}
