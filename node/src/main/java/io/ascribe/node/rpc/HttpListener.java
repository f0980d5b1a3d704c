package io.ascribe.node.rpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Netty plumbing the RPC and metrics servers share: one acceptor thread, a few I/O threads, a
 * pipeline built per connection, and a close that releases the port and every connection.
 */
final class HttpListener {
  private final String name;
  private final InetSocketAddress requested;
  private final int maxPendingWriteBytes;
  private final Consumer<ChannelPipeline> pipeline;
  private final ChannelGroup connections =
      new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel server;

  HttpListener(
      String name,
      String host,
      int port,
      int maxPendingWriteBytes,
      Consumer<ChannelPipeline> pipeline) {
    this.name = name;
    this.requested = new InetSocketAddress(host, port);
    this.maxPendingWriteBytes = maxPendingWriteBytes;
    this.pipeline = pipeline;
  }

  void start(int ioThreads) throws IOException {
    if (server != null) {
      throw new IllegalStateException(name + " is already started");
    }
    boss = new MultiThreadIoEventLoopGroup(1, threads("boss"), NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(ioThreads, threads("io"), NioIoHandler.newFactory());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(maxPendingWriteBytes / 2, maxPendingWriteBytes))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    connections.add(channel);
                    pipeline.accept(channel.pipeline());
                  }
                });
    ChannelFuture bound = bootstrap.bind(requested).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      close();
      throw new IOException(
          name + " cannot listen on " + requested + ": " + bound.cause().getMessage(),
          bound.cause());
    }
    server = bound.channel();
  }

  InetSocketAddress address() {
    if (server == null) {
      throw new IllegalStateException(name + " is not started");
    }
    return (InetSocketAddress) server.localAddress();
  }

  ChannelGroup connections() {
    return connections;
  }

  /** Stops listening, closes every connection and stops the threads; safe to call twice. */
  void close() {
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    connections.close().awaitUninterruptibly();
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  private DefaultThreadFactory threads(String role) {
    return new DefaultThreadFactory(name + "-" + role, true);
  }
}
