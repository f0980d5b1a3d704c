package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.AttestDeposit;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;

/**
 * One OpenBridge {@code Deposit} event as a validator attests it. Two attestations are of the same
 * deposit content exactly when these records are equal, which is how an attestation that disagrees
 * in any field is kept apart from the others.
 *
 * @param evmChainId the EVM chain the bridge is on
 * @param bridge the OpenBridge contract
 * @param number the deposit's number (OpenBridge numbers deposits from 0 without gaps)
 * @param depositor who locked the OPEN on the EVM chain
 * @param recipient who is credited on Ascribe
 * @param amount wei locked, and credited
 * @param evmTxHash the EVM transaction that emitted the event
 * @param evmBlockHash the EVM block that holds it
 */
public record EvmDeposit(
    long evmChainId,
    Address bridge,
    long number,
    Address depositor,
    Address recipient,
    BigInteger amount,
    Hash evmTxHash,
    Hash evmBlockHash) {

  public AttestDeposit toProto() {
    return AttestDeposit.newBuilder()
        .setEvmChainId(evmChainId)
        .setBridge(ByteString.copyFrom(bridge.toArray()))
        .setDeposit(number)
        .setDepositor(ByteString.copyFrom(depositor.toArray()))
        .setRecipient(ByteString.copyFrom(recipient.toArray()))
        .setAmount(ByteString.copyFrom(Amount.encode(amount)))
        .setEvmTxHash(ByteString.copyFrom(evmTxHash.toArray()))
        .setEvmBlockHash(ByteString.copyFrom(evmBlockHash.toArray()))
        .build();
  }

  /**
   * @throws IllegalArgumentException naming the field that is not well formed
   */
  public static EvmDeposit fromProto(AttestDeposit p) {
    return new EvmDeposit(
        p.getEvmChainId(),
        address(p.getBridge(), "bridge"),
        p.getDeposit(),
        address(p.getDepositor(), "depositor"),
        address(p.getRecipient(), "recipient"),
        Amount.decode(p.getAmount().toByteArray(), "deposit amount"),
        hash(p.getEvmTxHash(), "EVM transaction hash"),
        hash(p.getEvmBlockHash(), "EVM block hash"));
  }

  private static Address address(ByteString bytes, String what) {
    if (bytes.size() != Address.SIZE) {
      throw new IllegalArgumentException(
          "deposit " + what + " must be a 20-byte address, got " + bytes.size() + " bytes");
    }
    return Address.wrap(bytes.toByteArray());
  }

  private static Hash hash(ByteString bytes, String what) {
    if (bytes.size() != Hash.SIZE) {
      throw new IllegalArgumentException(
          "deposit " + what + " must be 32 bytes, got " + bytes.size());
    }
    return Hash.copyOf(bytes.toByteArray());
  }
}
