package io.ascribe.p2p;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.PeerMessage;
import io.ascribe.core.types.Address;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's p2p endpoint: it listens for peers and dials them, over TLS 1.3 whose certificates are
 * bound to the node keys ({@link CertificateBinding}), carrying length-prefixed Protobuf {@link
 * PeerMessage} frames with a hard size limit. Peers that misbehave lose score and are banned for a
 * while ({@link PeerScores}).
 */
public final class P2pTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(P2pTransport.class);
  private static final Duration BAN = Duration.ofMinutes(10);

  private final Address nodeId;
  private final TransportOptions options;
  private final PeerListener listener;
  private final PeerScores scores;
  private final SslContext serverTls;
  private final SslContext clientTls;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel serverChannel;

  public P2pTransport(
      PrivateKey nodeKey, TransportOptions options, PeerListener listener, Clock clock) {
    this.nodeId = nodeKey.address();
    this.options = options;
    this.listener = listener;
    this.scores = new PeerScores(clock, BAN);
    CertificateBinding.Credentials credentials =
        CertificateBinding.issue(nodeKey, new SecureRandom());
    try {
      this.serverTls =
          SslContextBuilder.forServer(credentials.tlsKey().getPrivate(), credentials.certificate())
              .sslProvider(SslProvider.JDK)
              .protocols("TLSv1.3")
              .clientAuth(ClientAuth.REQUIRE)
              .trustManager(new BindingTrustManager())
              .build();
      this.clientTls =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .protocols("TLSv1.3")
              .keyManager(credentials.tlsKey().getPrivate(), credentials.certificate())
              .trustManager(new BindingTrustManager())
              .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS 1.3: " + e.getMessage(), e);
    }
  }

  /**
   * Starts listening.
   *
   * @throws IOException when the port cannot be bound
   */
  public void start() throws IOException {
    boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("p2p-accept", true), NioIoHandler.newFactory());
    workers =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("p2p-io", true), NioIoHandler.newFactory());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    pipeline(channel, serverTls, Optional.empty(), new CompletableFuture<>());
                  }
                });
    try {
      serverChannel = bootstrap.bind(options.host(), options.port()).sync().channel();
    } catch (Exception e) {
      close();
      throw new IOException(
          "cannot listen for peers on "
              + options.host()
              + ":"
              + options.port()
              + ": "
              + e.getMessage(),
          e);
    }
    LOG.info("P2p listening on {}:{} as node {}", options.host(), port(), nodeId);
  }

  private void pipeline(
      Channel channel, SslContext tls, Optional<Address> expected, CompletableFuture<Peer> ready) {
    ChannelPipeline p = channel.pipeline();
    p.addLast("tls", tls.newHandler(channel.alloc()));
    p.addLast("frames", new FrameDecoder(options.maxFrameBytes()));
    p.addLast("prefix", new LengthFieldPrepender(4));
    p.addLast("decode", new ProtobufDecoder(PeerMessage.getDefaultInstance()));
    p.addLast("encode", new ProtobufEncoder());
    p.addLast("peer", new PeerHandler(this, expected, ready));
  }

  /**
   * Dials a peer and completes when it is ready: authenticated as {@code expected} and on this
   * chain. Fails with {@link PeerConnectException} saying why otherwise.
   */
  public CompletableFuture<Peer> dial(String host, int port, Address expected) {
    CompletableFuture<Peer> ready = new CompletableFuture<>();
    new Bootstrap()
        .group(workers)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel channel) {
                pipeline(channel, clientTls, Optional.of(expected), ready);
              }
            })
        .connect(new InetSocketAddress(host, port))
        .addListener(
            connected -> {
              if (!connected.isSuccess()) {
                ready.completeExceptionally(
                    new PeerConnectException(
                        "cannot connect to "
                            + host
                            + ":"
                            + port
                            + ": "
                            + connected.cause().getMessage()));
              }
            });
    return ready;
  }

  public Address nodeId() {
    return nodeId;
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public PeerScores scores() {
    return scores;
  }

  TransportOptions options() {
    return options;
  }

  PeerListener listener() {
    return listener;
  }

  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
