package io.ascribe.core.tx;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.AttestDeposit;
import io.ascribe.core.proto.Contribute;
import io.ascribe.core.proto.CreateDatanet;
import io.ascribe.core.proto.DatanetRules;
import io.ascribe.core.proto.RegisterModel;
import io.ascribe.core.proto.Stake;
import io.ascribe.core.proto.Transfer;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.proto.Unstake;
import io.ascribe.core.proto.WithdrawContribution;
import io.ascribe.core.proto.WithdrawToEvm;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
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

  public static TxBody createDatanet(
      long chainId, long nonce, BigInteger fee, String name, DatanetRules rules) {
    return header(chainId, nonce, fee)
        .setCreateDatanet(CreateDatanet.newBuilder().setName(name).setRules(rules))
        .build();
  }

  public static DatanetRules datanetRules(
      BigInteger minBond, String schemaId, int nearDuplicateBps) {
    return DatanetRules.newBuilder()
        .setMinBond(ByteString.copyFrom(Amount.encode(minBond)))
        .setSchemaId(schemaId)
        .setNearDuplicateBps(nearDuplicateBps)
        .build();
  }

  public static TxBody contribute(
      long chainId,
      long nonce,
      BigInteger fee,
      Hash datanet,
      Hash contentHash,
      long size,
      long[] minhash,
      BigInteger bond) {
    Contribute.Builder contribute =
        Contribute.newBuilder()
            .setDatanet(ByteString.copyFrom(datanet.toArray()))
            .setContentHash(ByteString.copyFrom(contentHash.toArray()))
            .setSize(size)
            .setBond(ByteString.copyFrom(Amount.encode(bond)));
    for (long value : minhash) {
      contribute.addMinhash(value);
    }
    return header(chainId, nonce, fee).setContribute(contribute).build();
  }

  public static TxBody withdrawContribution(
      long chainId, long nonce, BigInteger fee, Hash contribution) {
    return header(chainId, nonce, fee)
        .setWithdrawContribution(
            WithdrawContribution.newBuilder()
                .setContribution(ByteString.copyFrom(contribution.toArray())))
        .build();
  }

  public static TxBody registerModel(
      long chainId,
      long nonce,
      BigInteger fee,
      Hash weightsHash,
      Hash configHash,
      String architecture,
      String licence) {
    return header(chainId, nonce, fee)
        .setRegisterModel(
            RegisterModel.newBuilder()
                .setWeightsHash(ByteString.copyFrom(weightsHash.toArray()))
                .setConfigHash(ByteString.copyFrom(configHash.toArray()))
                .setArchitecture(architecture)
                .setLicence(licence))
        .build();
  }

  /** A validator's attestation of an OpenBridge deposit (see the ledger's {@code EvmDeposit}). */
  public static TxBody attestDeposit(
      long chainId, long nonce, BigInteger fee, AttestDeposit attestation) {
    return header(chainId, nonce, fee).setAttestDeposit(attestation).build();
  }

  public static TxBody withdrawToEvm(long chainId, long nonce, BigInteger fee, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setWithdrawToEvm(
            WithdrawToEvm.newBuilder().setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }

  private static TxBody.Builder header(long chainId, long nonce, BigInteger fee) {
    return TxBody.newBuilder()
        .setChainId(chainId)
        .setNonce(nonce)
        .setFee(ByteString.copyFrom(Amount.encode(fee)));
  }
}
