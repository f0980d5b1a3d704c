package io.ascribe.core.tx;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.Stake;
import io.ascribe.core.proto.Transfer;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.proto.Unstake;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import java.math.BigInteger;

/**
 * Builds the bodies of the ledger's transactions; sign them with {@link SignedTransaction#sign}.
 */
public final class TxBodies {
  private TxBodies() {}

  public static TxBody transfer(
      long chainId, long nonce, BigInteger fee, Address to, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setTransfer(
            Transfer.newBuilder()
                .setTo(ByteString.copyFrom(to.toArray()))
                .setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }

  public static TxBody stake(long chainId, long nonce, BigInteger fee, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setStake(Stake.newBuilder().setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }

  public static TxBody unstake(long chainId, long nonce, BigInteger fee, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setUnstake(Unstake.newBuilder().setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }

  private static TxBody.Builder header(long chainId, long nonce, BigInteger fee) {
    return TxBody.newBuilder()
        .setChainId(chainId)
        .setNonce(nonce)
        .setFee(ByteString.copyFrom(Amount.encode(fee)));
  }
}
