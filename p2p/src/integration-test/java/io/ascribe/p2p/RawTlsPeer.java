package io.ascribe.p2p;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.PeerMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * A test peer that authenticates with a real node key over the node's own TLS 1.3 binding and then
 * writes whatever bytes the test gives it inside the encrypted channel: the attacker that speaks
 * the protocol far enough to be trusted, then sends what no honest node would.
 */
final class RawTlsPeer implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;

  RawTlsPeer(PrivateKey nodeKey, int port) throws Exception {
    CertificateBinding.Credentials credentials =
        CertificateBinding.issue(nodeKey, new SecureRandom());
    SslContext tls =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3")
            .keyManager(credentials.tlsKey().getPrivate(), credentials.certificate())
            .trustManager(new BindingTrustManager())
            .build();
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                  }
                })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
    if (!channel.pipeline().get(SslHandler.class).handshakeFuture().await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("TLS handshake did not finish");
    }
  }

  /** One frame as the transport writes it: a 4-byte big-endian length, then the bytes. */
  static byte[] frame(byte[] payload) {
    return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
  }

  static byte[] frame(PeerMessage message) {
    return frame(message.toByteArray());
  }

  /** Writes raw bytes inside the TLS channel; a write after the node closed it goes nowhere. */
  RawTlsPeer write(byte[] bytes) throws InterruptedException {
    channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).await(10, TimeUnit.SECONDS);
    return this;
  }

  /** Waits until the node closes the connection. */
  boolean awaitClosed() throws InterruptedException {
    return channel.closeFuture().await(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
