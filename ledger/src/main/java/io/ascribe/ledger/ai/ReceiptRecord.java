package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.ReceiptStatus;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One inference receipt as the ledger keeps it inside its batch: what the executor reported, which
 * user paid how much under which authorisation nonce, and the attribution record of who earns what
 * from the fee by role (contributors by their positive scores, the adapter's fine-tuner, the
 * executor). The validators' and verifiers' shares are paid when the batch settles, to those then
 * entitled, and added to {@code shares} then, so a paid receipt records its whole payout.
 *
 * @param shares in {@link WorkShare#ORDER}; what the fee pays, the rest of which is burned
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
    List<WorkShare> shares,
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
    shares = shares.stream().sorted(WorkShare.ORDER).toList();
  }

  /**
   * What each account earns from the fee in all its roles together, in address order: what was
   * recorded at inclusion (contributors, fine-tuner, executor) and, once paid, the rest too.
   */
  public SortedMap<Address, BigInteger> earnings() {
    SortedMap<Address, BigInteger> credits = new TreeMap<>();
    shares.forEach(s -> credits.merge(s.account(), s.amount(), BigInteger::add));
    return Collections.unmodifiableSortedMap(credits);
  }

  public ReceiptRecord withStatus(Status newStatus) {
    return with(newStatus, challenge, shares);
  }

  /** This receipt, challenged by {@code id}. */
  public ReceiptRecord challengedBy(Hash id) {
    return with(Status.CHALLENGED, Optional.of(id), shares);
  }

  /** This receipt paid out, with the shares paid at settlement beside those recorded before. */
  public ReceiptRecord paid(List<WorkShare> settledShares) {
    List<WorkShare> all = new ArrayList<>(shares);
    all.addAll(settledShares);
    return with(Status.PAID, challenge, all);
  }

  private ReceiptRecord with(
      Status newStatus, Optional<Hash> newChallenge, List<WorkShare> newShares) {
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
        newShares,
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
    shares.forEach(s -> p.addShares(s.toProto()));
    return p.build();
  }

  static ReceiptRecord fromProto(io.ascribe.core.proto.ReceiptRecord p) {
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
        p.getSharesList().stream().map(WorkShare::fromProto).toList(),
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
