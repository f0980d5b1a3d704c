package io.ascribe.ledger.exec;

import io.ascribe.core.types.Address;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.ai.DepositAttestations;
import io.ascribe.ledger.ai.EvmDeposit;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.state.SystemState;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * The bridge to the EVM chain. Deposits: validators attest each OpenBridge deposit they saw with
 * the genesis's confirmations, and once the attestations of one exact content hold more than 2/3 of
 * the current validator set's voting power, the recipient is credited (new wei on Ascribe: the
 * supply grows by it), once. Withdrawals: a balance moves into its owner's cumulative reward, which
 * the EVM distributor pays out with the next epoch's root.
 *
 * <p>Attestations are ordinary transactions: the validator pays the fee like anyone (the fee goes
 * to the proposer, part burned), so attesting needs no special admission rules and cannot be used
 * to fill blocks for free.
 */
final class BridgeRules {
  private final Optional<Genesis.Bridge> bridge;

  BridgeRules(Optional<Genesis.Bridge> bridge) {
    this.bridge = bridge;
  }

  void attestDeposit(TxContext tx) {
    Genesis.Bridge accepted =
        bridge.orElseThrow(
            () ->
                new ActionFailedException(
                    "this chain has no bridge (its genesis has no bridge section), so it credits"
                        + " no deposits"));
    EvmDeposit deposit = EvmDeposit.fromProto(tx.body().getAttestDeposit());
    if (deposit.evmChainId() != accepted.evmChainId()
        || !deposit.bridge().equals(accepted.address())) {
      throw new ActionFailedException(
          "the attestation is for bridge "
              + deposit.bridge()
              + " on EVM chain "
              + deposit.evmChainId()
              + ", but this chain credits only bridge "
              + accepted.address()
              + " on EVM chain "
              + accepted.evmChainId()
              + " (its genesis)");
    }
    if (deposit.amount().signum() == 0 || deposit.recipient().equals(Address.ZERO)) {
      throw new ActionFailedException(
          "deposit " + deposit.number() + " has no amount or no recipient: OpenBridge emits none");
    }
    StateOverlay state = tx.state();
    SystemState system = state.system();
    ValidatorSet validators = system.validators();
    if (validators.find(tx.sender()).isEmpty()) {
      throw new ActionFailedException(
          "only validators attest deposits: " + tx.sender() + " is not in the validator set");
    }
    long next = system.bridge().nextDeposit();
    if (deposit.number() < next) {
      throw new ActionFailedException(
          "deposit "
              + deposit.number()
              + " was already credited (every deposit below "
              + next
              + " is)");
    }
    DepositAttestations record = attestations(state, deposit.number());
    if (record.credited()) {
      throw new ActionFailedException(
          "deposit "
              + deposit.number()
              + " was already credited at height "
              + record.creditedHeight());
    }
    Optional<DepositAttestations.Claim> earlier = record.claimOf(tx.sender());
    if (earlier.isPresent()) {
      if (earlier.get().content().equals(deposit)) {
        return; // attested before: a validator's vote counts once
      }
      throw new ActionFailedException(
          "validator "
              + tx.sender()
              + " already attested deposit "
              + deposit.number()
              + " with other content; an attestation cannot be changed");
    }
    record = record.attest(deposit, tx.sender());
    if (holdsQuorum(validators, record.attesters(deposit))) {
      tx.creditBalance(deposit.recipient(), deposit.amount());
      record = record.credit(deposit, tx.height());
      state.put(record);
      state.setSystem(system.deposit(deposit.amount(), nextUncredited(state, next)));
    } else {
      state.put(record);
    }
  }

  void withdrawToEvm(TxContext tx) {
    BigInteger amount = TxContext.amount(tx.body().getWithdrawToEvm().getAmount(), "amount");
    if (amount.signum() == 0) {
      throw new ActionFailedException("withdrawal amount must be positive");
    }
    tx.debitSender(amount);
    Rewards.credit(tx.state(), tx.sender(), amount);
    tx.state().setSystem(tx.state().system().withdrawToEvm(amount));
  }

  /** More than 2/3 of the set's voting power: 3 × attested > 2 × total, as commits are counted. */
  static boolean holdsQuorum(ValidatorSet validators, List<Address> attesters) {
    BigInteger attested = BigInteger.ZERO;
    for (Address attester : attesters) {
      // A validator that has since left the set counts for nothing.
      Optional<ValidatorSet.Validator> v = validators.find(attester);
      if (v.isPresent()) {
        attested = attested.add(BigInteger.valueOf(v.get().votingPower()));
      }
    }
    BigInteger total = BigInteger.valueOf(validators.totalVotingPower());
    return attested.multiply(BigInteger.valueOf(3)).compareTo(total.shiftLeft(1)) > 0;
  }

  /** The lowest deposit number from {@code from} on that is not credited. */
  private static long nextUncredited(LedgerReader state, long from) {
    long next = from;
    while (attestations(state, next).credited()) {
      next++;
    }
    return next;
  }

  static DepositAttestations attestations(LedgerReader state, long deposit) {
    Optional<LedgerObject> stored = state.object(DepositAttestations.key(deposit));
    return stored.map(DepositAttestations.class::cast).orElse(DepositAttestations.none(deposit));
  }
}
