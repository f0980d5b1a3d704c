package io.ascribe.p2p;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.util.List;

/**
 * Splits the decrypted stream into frames of a 4-byte length and that many bytes, failing fast on a
 * length over the limit. Unlike the plain decoder it does not let a connection that closes in the
 * middle of a frame pass for a clean close: the bytes left over are reported as a {@link
 * TruncatedFrameException}, so the sender is charged for it.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {
  FrameDecoder(int maxFrameBytes) {
    super(maxFrameBytes, 0, 4, 0, 4, true);
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    super.decodeLast(ctx, in, out);
    if (in.isReadable()) {
      int left = in.readableBytes();
      in.skipBytes(left);
      ctx.fireExceptionCaught(
          new TruncatedFrameException(
              "closed the connection " + left + " bytes into a frame it never finished"));
    }
  }
}
