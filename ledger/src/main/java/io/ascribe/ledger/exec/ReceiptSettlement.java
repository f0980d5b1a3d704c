package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.AiParams;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.ai.WorkFeeSplitter;
import io.ascribe.ledger.state.HeldPayouts;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the wei the inference rules hold goes: a batch's fees are paid out when its challenge
 * window closes, a voided receipt's fee goes back to its user, and a challenge's bond goes back to
 * the challenger, or is slashed with half to the winner and half burned. Every move keeps the held
 * total in the protocol record exact, so the supply invariant holds at every step.
 */
final class ReceiptSettlement {
  private static final BigInteger BPS = BigInteger.valueOf(ProtocolParams.FeeSplit.TOTAL_BPS);
  private static final BigInteger TWO = BigInteger.TWO;

  private final AiParams.Inference inference;
  private final InferenceCapabilities capabilities;
  private final WorkFeeSplitter splitter;

  ReceiptSettlement(AiParams ai, InferenceCapabilities capabilities, WorkFeeSplitter splitter) {
    this.inference = ai.inference();
    this.capabilities = capabilities;
    this.splitter = splitter;
  }

  /**
   * Settles, at the start of block {@code height}, the batches whose challenge window has closed:
   * challenges past their deadline expire, a batch with a challenge still open waits for it, and
   * every other batch pays its held fees out. Only the due front of the ordered release list is
   * read.
   */
  void settleDue(StateOverlay state, long height) {
    HeldPayouts held = state.system().held();
    List<HeldPayouts.Release> due = List.copyOf(held.due(height));
    if (due.isEmpty()) {
      return;
    }
    state.setSystem(state.system().withHeld(held.withoutDue(height)));
    for (HeldPayouts.Release release : due) {
      InferenceBatch batch = batch(state, release.batch());
      long openUntil = -1;
      for (ReceiptRecord receipt : batch.receipts()) {
        if (receipt.status() != ReceiptRecord.Status.CHALLENGED) {
          continue;
        }
        ReceiptChallenge challenge =
            (ReceiptChallenge) state.object(ReceiptChallenge.key(receipt.challenge().get())).get();
        if (challenge.deadline() < height) {
          batch = expire(state, challenge, batch, height);
        } else {
          openUntil = Math.max(openUntil, challenge.deadline());
        }
      }
      if (openUntil >= 0) {
        state.put(batch.withSettleHeight(openUntil + 1));
        HeldPayouts later = state.system().held().schedule(openUntil + 1, batch.id());
        state.setSystem(state.system().withHeld(later));
      } else {
        settle(state, batch);
      }
    }
  }

  /** No majority by the deadline: the bond goes back, nobody is slashed, the receipt stands. */
  private InferenceBatch expire(
      StateOverlay state, ReceiptChallenge challenge, InferenceBatch batch, long height) {
    TxContext.creditBalance(state, challenge.challenger(), challenge.bond());
    hold(state, challenge.bond().negate());
    state.put(challenge.decided(ReceiptChallenge.Status.EXPIRED, height, BigInteger.ZERO));
    ReceiptRecord receipt = batch.receipts().get(challenge.receipt());
    return batch.withReceipt(challenge.receipt(), receipt.withStatus(ReceiptRecord.Status.HELD));
  }

  /**
   * Pays each standing receipt's fee out: the earnings recorded at inclusion, then the validators'
   * share (pro rata to the current set's power) and the verifiers' share (equally to the batch's
   * verifiers, burned if none re-checked it); whatever is left of the fee is burned. The shares
   * paid now join the receipt's record, so it shows its whole payout by role afterwards.
   */
  private void settle(StateOverlay state, InferenceBatch batch) {
    ValidatorSet validators = state.system().validators();
    List<Address> verifiers = List.copyOf(batch.verifiers());
    List<ReceiptRecord> settled = new ArrayList<>(batch.receipts().size());
    BigInteger released = BigInteger.ZERO;
    BigInteger burned = BigInteger.ZERO;
    for (ReceiptRecord receipt : batch.receipts()) {
      if (receipt.status() == ReceiptRecord.Status.VOIDED) {
        settled.add(receipt);
        continue;
      }
      WorkFeeSplitter.Payout shares =
          splitter.split(
              receipt.fee(),
              new WorkFeeSplitter.Parties(
                  Map.of(), Optional.empty(), Optional.empty(), verifiers, validators));
      BigInteger paid = BigInteger.ZERO;
      for (var earning : receipt.earnings().entrySet()) {
        Rewards.credit(state, earning.getKey(), earning.getValue());
        paid = paid.add(earning.getValue());
      }
      for (var share : shares.credits().entrySet()) {
        Rewards.credit(state, share.getKey(), share.getValue());
        paid = paid.add(share.getValue());
      }
      burned = burned.add(receipt.fee().subtract(paid));
      released = released.add(receipt.fee());
      settled.add(receipt.paid(shares.shares()));
    }
    state.setSystem(state.system().burn(burned));
    hold(state, released.negate());
    state.put(batch.settled(settled));
  }

  /**
   * The receipt was wrong: its user gets the whole fee back, the challenger its bond and half of
   * what is slashed from the executor's bond (the rest is burned), and the verifiers who said so
   * share the batch's verifiers' fee share when it settles.
   */
  void uphold(StateOverlay state, ReceiptChallenge challenge, InferenceBatch batch, long height) {
    ReceiptRecord receipt = batch.receipts().get(challenge.receipt());
    TxContext.creditBalance(state, receipt.user(), receipt.fee());
    TxContext.creditBalance(state, challenge.challenger(), challenge.bond());
    hold(state, receipt.fee().add(challenge.bond()).negate());
    BigInteger slashed =
        capabilities.slashExecutorBond(state, batch.executor(), inference.fraudSlashBps());
    splitSlash(state, slashed, challenge.challenger());
    List<Address> right = new ArrayList<>(sided(challenge, true));
    right.add(challenge.challenger());
    state.put(
        batch
            .withReceipt(challenge.receipt(), receipt.withStatus(ReceiptRecord.Status.VOIDED))
            .withVerifiers(right));
    state.put(challenge.decided(ReceiptChallenge.Status.UPHELD, height, slashed));
  }

  /**
   * The receipt stands: the challenger gets its bond back less the slashed share, half of which
   * goes to the executor (the rest is burned), and the verifiers who said so share the batch's
   * verifiers' fee share.
   */
  void reject(StateOverlay state, ReceiptChallenge challenge, InferenceBatch batch, long height) {
    BigInteger slashed =
        challenge.bond().multiply(BigInteger.valueOf(inference.fraudSlashBps())).divide(BPS);
    TxContext.creditBalance(state, challenge.challenger(), challenge.bond().subtract(slashed));
    hold(state, challenge.bond().negate());
    splitSlash(state, slashed, batch.executor());
    ReceiptRecord receipt = batch.receipts().get(challenge.receipt());
    state.put(
        batch
            .withReceipt(challenge.receipt(), receipt.withStatus(ReceiptRecord.Status.HELD))
            .withVerifiers(sided(challenge, false)));
    state.put(challenge.decided(ReceiptChallenge.Status.REJECTED, height, slashed));
  }

  /** Half of {@code slashed} to the winner's rewards, the rest (and the odd wei) burned. */
  private static void splitSlash(StateOverlay state, BigInteger slashed, Address winner) {
    BigInteger reward = slashed.divide(TWO);
    Rewards.credit(state, winner, reward);
    state.setSystem(state.system().burn(slashed.subtract(reward)));
  }

  private static List<Address> sided(ReceiptChallenge challenge, boolean uphold) {
    return challenge.votes().stream()
        .filter(v -> v.uphold() == uphold)
        .map(ReceiptChallenge.Vote::voter)
        .toList();
  }

  static InferenceBatch batch(LedgerReader state, Hash id) {
    return state
        .object(InferenceBatch.key(id))
        .map(InferenceBatch.class::cast)
        .orElseThrow(() -> new ActionFailedException("unknown receipt batch " + id));
  }

  static void hold(StateOverlay state, BigInteger delta) {
    state.setSystem(state.system().withHeld(state.system().held().hold(delta)));
  }
}
