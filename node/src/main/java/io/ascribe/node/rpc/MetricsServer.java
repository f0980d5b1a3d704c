package io.ascribe.node.rpc;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a Micrometer {@link PrometheusMeterRegistry} for Prometheus to scrape at GET {@code
 * /metrics}, on its own port so that metrics can stay private while RPC is public. It answers
 * nothing else ({@code 404}, or {@code 405} for another method on {@code /metrics}).
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

  /** The Prometheus text exposition format that {@link PrometheusMeterRegistry#scrape()} writes. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final HttpListener listener;

  public MetricsServer(PrometheusMeterRegistry registry, String host, int port) {
    this.registry = registry;
    this.listener = new HttpListener("metrics", host, port, 1024 * 1024, this::pipeline);
  }

  /**
   * Binds the port and starts serving.
   *
   * @throws IOException if the address cannot be bound
   */
  public void start() throws IOException {
    listener.start(1);
    log.info("Metrics listening on http://{}:{}/metrics", address().getHostString(), port());
  }

  /** The bound port, which is the free one chosen when port 0 was asked for. */
  public int port() {
    return listener.address().getPort();
  }

  public InetSocketAddress address() {
    return listener.address();
  }

  @Override
  public void close() {
    listener.close();
    log.info("Metrics server closed");
  }

  private void pipeline(ChannelPipeline p) {
    p.addLast(new HttpServerCodec());
    // Scrapes are GETs; a small limit keeps stray uploads from using memory.
    p.addLast(new HttpObjectAggregator(64 * 1024));
    p.addLast(new ScrapeHandler());
  }

  private final class ScrapeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      String path = new QueryStringDecoder(request.uri()).path();
      if (!path.equals("/metrics")) {
        HttpResponses.send(
            ctx, keepAlive, HttpResponseStatus.NOT_FOUND, HttpResponses.TEXT, "not found");
      } else if (!request.method().equals(HttpMethod.GET)) {
        HttpResponses.send(
            ctx,
            keepAlive,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            HttpResponses.TEXT,
            "method not allowed");
      } else {
        // Scraping reads in-memory meters only, fast enough for the event loop.
        HttpResponses.send(ctx, keepAlive, HttpResponseStatus.OK, CONTENT_TYPE, registry.scrape());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug(
          "Metrics connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
