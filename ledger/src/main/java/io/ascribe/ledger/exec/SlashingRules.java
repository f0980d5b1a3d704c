package io.ascribe.ledger.exec;

import io.ascribe.core.state.AccountState;
import io.ascribe.core.types.Address;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.ValidatorRecord;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Evidence and slashing: evidence of a double sign, included by anyone, slashes {@code
 * doubleSignSlashBps} of the signer's bonded and unbonding stake, burns it but for the reporter's
 * tenth, and jails the key for good (it leaves the validator set after the validator-set delay and
 * can never rejoin). It also keeps each validator's terms in the set, so evidence is judged against
 * the set of the height it names. See docs/adr/006-evidence-and-slashing.md.
 */
final class SlashingRules {
  /**
   * The reporter's share of what is slashed. Below the whole, so a validator that reports its own
   * double sign loses nine tenths of the slash (and the fee).
   */
  static final int REPORTER_SHARE_BPS = 1_000;

  private static final BigInteger BPS = BigInteger.valueOf(ProtocolParams.FeeSplit.TOTAL_BPS);

  private final long chainId;
  private final ProtocolParams params;

  SlashingRules(long chainId, ProtocolParams params) {
    this.chainId = chainId;
    this.params = params;
  }

  void submitEvidence(TxContext tx) {
    DoubleSign offence = DoubleSign.of(chainId, tx.body().getSubmitEvidence());
    if (offence.height() >= tx.height()) {
      throw new ActionFailedException(
          "evidence of height "
              + offence.height()
              + " can only be included in a later block, not in block "
              + tx.height());
    }
    long maxAge = params.ai().slashing().evidenceMaxAgeBlocks();
    if (tx.height() - offence.height() > maxAge) {
      throw new ActionFailedException(
          "evidence of height "
              + offence.height()
              + " is too old: it could be included up to height "
              + (offence.height() + maxAge)
              + ", now "
              + tx.height());
    }
    StateOverlay state = tx.state();
    ValidatorRecord record = record(state, offence.validator(), state.system().validators());
    if (record.punishment().isPresent()) {
      ValidatorRecord.Punishment p = record.punishment().get();
      throw new ActionFailedException(
          "validator "
              + offence.validator()
              + " was already punished for a double sign ("
              + p.step()
              + " at height "
              + p.height()
              + " round "
              + p.round()
              + ", evidence included at height "
              + p.evidenceHeight()
              + "): a key is slashed once and jailed for good");
    }
    if (!record.wasValidatorAt(offence.height())) {
      throw new ActionFailedException(
          offence.validator()
              + " was not a validator at height "
              + offence.height()
              + ": what it signed there counted for nothing");
    }

    AccountState account = state.account(offence.validator());
    BigInteger fromStake = share(account.stake(), params.ai().slashing().doubleSignSlashBps());
    BigInteger fromUnbonding =
        share(account.unbonding(), params.ai().slashing().doubleSignSlashBps());
    BigInteger slashed = fromStake.add(fromUnbonding);
    BigInteger reward = share(slashed, REPORTER_SHARE_BPS);
    state.put(
        offence.validator(),
        account
            .withStake(account.stake().subtract(fromStake))
            .withUnbonding(account.unbonding().subtract(fromUnbonding), account.unbondingHeight()));
    state.setSystem(state.system().burn(slashed.subtract(reward)));
    Rewards.credit(state, tx.sender(), reward);
    state.put(
        record.punished(
            new ValidatorRecord.Punishment(
                offence.height(),
                offence.round(),
                offence.step(),
                slashed,
                tx.sender(),
                reward,
                tx.height())));
    // Jailed: the next settlement of its stake leaves it out of the set (TxExecutor.beginBlock).
    AccountRules.schedule(state, offence.validator(), tx.height() + params.validatorSetDelay());
  }

  /** Whether {@code address} was punished for a double sign and so may never validate again. */
  static boolean jailed(LedgerReader state, Address address) {
    return state
        .object(ValidatorRecord.key(address))
        .map(o -> ((ValidatorRecord) o).jailed())
        .orElse(false);
  }

  /**
   * Records who joined and who left the validator set at {@code height}, forgetting terms that
   * ended before any evidence can still reach.
   */
  void recordTerms(StateOverlay state, long height, ValidatorSet before, ValidatorSet after) {
    Set<Address> was = new HashSet<>();
    before.validators().forEach(v -> was.add(v.address()));
    Set<Address> is = new HashSet<>();
    after.validators().forEach(v -> is.add(v.address()));
    long forgetBefore = height - params.ai().slashing().evidenceMaxAgeBlocks();
    for (Address joined : difference(is, was)) {
      state.put(record(state, joined, before).joined(height).forgettingBefore(forgetBefore));
    }
    for (Address left : difference(was, is)) {
      state.put(record(state, left, before).left(height).forgettingBefore(forgetBefore));
    }
  }

  /**
   * {@code address}'s record, or the one its absence implies: no record means its membership never
   * changed, so it is a validator since genesis exactly if it is in {@code current} (a set no
   * membership change has touched for it).
   */
  private static ValidatorRecord record(LedgerReader state, Address address, ValidatorSet current) {
    return state
        .object(ValidatorRecord.key(address))
        .map(ValidatorRecord.class::cast)
        .orElseGet(() -> ValidatorRecord.implied(address, current.find(address).isPresent()));
  }

  private static Set<Address> difference(Set<Address> a, Set<Address> b) {
    Set<Address> out = new TreeSet<>(a);
    out.removeAll(b);
    return out;
  }

  private static BigInteger share(BigInteger amount, int bps) {
    return amount.multiply(BigInteger.valueOf(bps)).divide(BPS);
  }
}
