package io.ascribe.ledger.exec;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.Receipt;
import io.ascribe.core.proto.TxStatus;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;

/**
 * What happened to an included transaction. A transaction whose action failed (a transfer over the
 * balance left after its fee, say) is still included: it pays its fee and uses its nonce.
 */
public record TxReceipt(
    Hash txHash,
    long height,
    int index,
    Address sender,
    boolean success,
    String error,
    BigInteger feePaid) {

  public Receipt toProto() {
    return Receipt.newBuilder()
        .setTxHash(ByteString.copyFrom(txHash.toArray()))
        .setHeight(height)
        .setIndex(index)
        .setSender(ByteString.copyFrom(sender.toArray()))
        .setStatus(success ? TxStatus.TX_STATUS_SUCCESS : TxStatus.TX_STATUS_FAILED)
        .setError(error)
        .setFeePaid(ByteString.copyFrom(Amount.encode(feePaid)))
        .build();
  }

  public static TxReceipt fromProto(Receipt receipt) {
    return new TxReceipt(
        Hash.copyOf(receipt.getTxHash().toByteArray()),
        receipt.getHeight(),
        receipt.getIndex(),
        Address.wrap(receipt.getSender().toByteArray()),
        receipt.getStatus() == TxStatus.TX_STATUS_SUCCESS,
        receipt.getError(),
        Amount.decode(receipt.getFeePaid().toByteArray(), "fee paid"));
  }
}
