package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.InferenceBatchStatus;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A batch of inference receipts one executor posted: the receipts with their held fees, the block
 * at whose start the fees are paid out (the end of the challenge window, later while a challenge is
 * open), and the verifiers that re-checked the batch and were right, who share its verifiers' fee
 * share.
 */
public record InferenceBatch(
    Hash id,
    Address executor,
    long height,
    long settleHeight,
    Status status,
    List<ReceiptRecord> receipts,
    SortedSet<Address> verifiers)
    implements LedgerObject {

  /** Whether the batch's fees are still held. */
  public enum Status {
    HELD,
    SETTLED
  }

  public InferenceBatch {
    receipts = List.copyOf(receipts);
    verifiers = Collections.unmodifiableSortedSet(new TreeSet<>(verifiers));
  }

  public static Hash key(Hash id) {
    return StateTreeHashing.objectKey("inference-batch", id.toArray());
  }

  @Override
  public Hash key() {
    return key(id);
  }

  /** This batch with receipt {@code index} replaced. */
  public InferenceBatch withReceipt(int index, ReceiptRecord receipt) {
    List<ReceiptRecord> next = new ArrayList<>(receipts);
    next.set(index, receipt);
    return new InferenceBatch(id, executor, height, settleHeight, status, next, verifiers);
  }

  /** This batch with {@code more} verifiers credited for re-checking it. */
  public InferenceBatch withVerifiers(Collection<Address> more) {
    SortedSet<Address> next = new TreeSet<>(verifiers);
    next.addAll(more);
    return new InferenceBatch(id, executor, height, settleHeight, status, receipts, next);
  }

  public InferenceBatch withSettleHeight(long newHeight) {
    return new InferenceBatch(id, executor, height, newHeight, status, receipts, verifiers);
  }

  /** This batch settled, with its receipts as they were paid out or refunded. */
  public InferenceBatch settled(List<ReceiptRecord> finalReceipts) {
    return new InferenceBatch(
        id, executor, height, settleHeight, Status.SETTLED, finalReceipts, verifiers);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    io.ascribe.core.proto.InferenceBatch.Builder p =
        io.ascribe.core.proto.InferenceBatch.newBuilder()
            .setId(ByteString.copyFrom(id.toArray()))
            .setExecutor(ByteString.copyFrom(executor.toArray()))
            .setHeight(height)
            .setSettleHeight(settleHeight)
            .setStatus(
                switch (status) {
                  case HELD -> InferenceBatchStatus.INFERENCE_BATCH_STATUS_HELD;
                  case SETTLED -> InferenceBatchStatus.INFERENCE_BATCH_STATUS_SETTLED;
                });
    receipts.forEach(r -> p.addReceipts(r.toProto()));
    verifiers.forEach(v -> p.addVerifiers(ByteString.copyFrom(v.toArray())));
    return io.ascribe.core.proto.LedgerObject.newBuilder().setInferenceBatch(p).build();
  }

  static InferenceBatch fromProto(io.ascribe.core.proto.InferenceBatch p) {
    Status status =
        switch (p.getStatus()) {
          case INFERENCE_BATCH_STATUS_HELD -> Status.HELD;
          case INFERENCE_BATCH_STATUS_SETTLED -> Status.SETTLED;
          case INFERENCE_BATCH_STATUS_UNSPECIFIED, UNRECOGNIZED ->
              throw new IllegalArgumentException("inference batch has no status");
        };
    SortedSet<Address> verifiers = new TreeSet<>();
    p.getVerifiersList().forEach(v -> verifiers.add(Address.wrap(v.toByteArray())));
    return new InferenceBatch(
        Hash.copyOf(p.getId().toByteArray()),
        Address.wrap(p.getExecutor().toByteArray()),
        p.getHeight(),
        p.getSettleHeight(),
        status,
        p.getReceiptsList().stream().map(ReceiptRecord::fromProto).toList(),
        verifiers);
  }
}
