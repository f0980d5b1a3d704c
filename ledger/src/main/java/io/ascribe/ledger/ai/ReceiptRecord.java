package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.Earning;
import io.ascribe.core.proto.ReceiptStatus;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One inference receipt as the ledger keeps it inside its batch: what the executor reported, which
 * user paid how much under which authorisation nonce, and the attribution record of who earns what
 * from the fee (contributors by their positive scores, the adapter's fine-tuner, the executor). The
 * validators' and verifiers' shares are paid when the batch settles, to those then entitled.
 */
public record ReceiptRecord(
    Hash requestHash,
    Hash model,
    Optional<Hash> adapter,
    Hash datanet,
    List<AttributionScore> scores,
    Hash outputHash,
    Address user,
    long authorisationNonce,
    BigInteger fee,
    SortedMap<Address, BigInteger> earnings,
    Status status,
    Optional<Hash> challenge) {

  /** Where the receipt's fee is. */
  public enum Status {
    /** Held until the batch settles. */
    HELD,
    /** Held, and a challenge against it is open. */
    CHALLENGED,
    /** A challenge was upheld: the fee went back to the user. */
    VOIDED,
    /** The fee was paid out. */
    PAID
  }

  public ReceiptRecord {
    scores = List.copyOf(scores);
    earnings = Collections.unmodifiableSortedMap(new TreeMap<>(earnings));
  }

  public ReceiptRecord withStatus(Status newStatus) {
    return with(newStatus, challenge);
  }

  /** This receipt, challenged by {@code id}. */
  public ReceiptRecord challengedBy(Hash id) {
    return with(Status.CHALLENGED, Optional.of(id));
  }

  private ReceiptRecord with(Status newStatus, Optional<Hash> newChallenge) {
    return new ReceiptRecord(
        requestHash,
        model,
        adapter,
        datanet,
        scores,
        outputHash,
        user,
        authorisationNonce,
        fee,
        earnings,
        newStatus,
        newChallenge);
  }

  io.ascribe.core.proto.ReceiptRecord toProto() {
    io.ascribe.core.proto.ReceiptRecord.Builder p =
        io.ascribe.core.proto.ReceiptRecord.newBuilder()
            .setRequestHash(bytes(requestHash))
            .setModel(bytes(model))
            .setDatanet(bytes(datanet))
            .addAllScores(AttributionScore.toProtos(scores))
            .setOutputHash(bytes(outputHash))
            .setUser(ByteString.copyFrom(user.toArray()))
            .setAuthorisationNonce(authorisationNonce)
            .setFee(ByteString.copyFrom(Amount.encode(fee)))
            .setStatus(
                switch (status) {
                  case HELD -> ReceiptStatus.RECEIPT_STATUS_HELD;
                  case CHALLENGED -> ReceiptStatus.RECEIPT_STATUS_CHALLENGED;
                  case VOIDED -> ReceiptStatus.RECEIPT_STATUS_VOIDED;
                  case PAID -> ReceiptStatus.RECEIPT_STATUS_PAID;
                });
    adapter.ifPresent(a -> p.setAdapter(bytes(a)));
    challenge.ifPresent(c -> p.setChallenge(bytes(c)));
    earnings.forEach(
        (account, amount) ->
            p.addEarnings(
                Earning.newBuilder()
                    .setAccount(ByteString.copyFrom(account.toArray()))
                    .setAmount(ByteString.copyFrom(Amount.encode(amount)))));
    return p.build();
  }

  static ReceiptRecord fromProto(io.ascribe.core.proto.ReceiptRecord p) {
    SortedMap<Address, BigInteger> earnings = new TreeMap<>();
    for (Earning e : p.getEarningsList()) {
      earnings.put(
          Address.wrap(e.getAccount().toByteArray()),
          Amount.decode(e.getAmount().toByteArray(), "earning"));
    }
    Status status =
        switch (p.getStatus()) {
          case RECEIPT_STATUS_HELD -> Status.HELD;
          case RECEIPT_STATUS_CHALLENGED -> Status.CHALLENGED;
          case RECEIPT_STATUS_VOIDED -> Status.VOIDED;
          case RECEIPT_STATUS_PAID -> Status.PAID;
          case RECEIPT_STATUS_UNSPECIFIED, UNRECOGNIZED ->
              throw new IllegalArgumentException("receipt has no status");
        };
    return new ReceiptRecord(
        Hash.copyOf(p.getRequestHash().toByteArray()),
        Hash.copyOf(p.getModel().toByteArray()),
        optionalHash(p.getAdapter()),
        Hash.copyOf(p.getDatanet().toByteArray()),
        AttributionScore.fromProtos(p.getScoresList()),
        Hash.copyOf(p.getOutputHash().toByteArray()),
        Address.wrap(p.getUser().toByteArray()),
        p.getAuthorisationNonce(),
        Amount.decode(p.getFee().toByteArray(), "fee"),
        earnings,
        status,
        optionalHash(p.getChallenge()));
  }

  static ByteString bytes(Hash hash) {
    return ByteString.copyFrom(hash.toArray());
  }

  static Optional<Hash> optionalHash(ByteString bytes) {
    return bytes.isEmpty() ? Optional.empty() : Optional.of(Hash.copyOf(bytes.toByteArray()));
  }
}
