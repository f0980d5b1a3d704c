package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import io.ascribe.genesis.AiParams.WorkFeeSplit;
import io.ascribe.genesis.ProtocolParams.FeeSplit;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Divides one AI work fee (a tuning job's escrow, an inference request's fee) between the parties
 * the genesis {@link WorkFeeSplit} names. Pure arithmetic on wei: every share is rounded down, and
 * whatever is not paid to someone (rounding dust, a share with nobody to receive it) is burned, so
 * the payout plus the burn is always exactly the fee.
 */
public final class WorkFeeSplitter {
  private static final BigInteger BPS = BigInteger.valueOf(FeeSplit.TOTAL_BPS);

  private final WorkFeeSplit split;

  public WorkFeeSplitter(WorkFeeSplit split) {
    this.split = split;
  }

  /**
   * Who took part in a piece of work.
   *
   * @param contributorWeights each data contributor's attribution weight; only positive weights are
   *     paid, pro rata
   * @param fineTuner who paid for the adapter the work used, if it used one
   * @param executor who ran the work
   * @param verifiers who checked it (paid equally)
   * @param validators the validator set (paid pro rata to power)
   */
  public record Parties(
      Map<Address, BigInteger> contributorWeights,
      Optional<Address> fineTuner,
      Optional<Address> executor,
      List<Address> verifiers,
      ValidatorSet validators) {}

  /**
   * The result: wei per recipient and role, and the wei burned.
   *
   * @param shares what each recipient earns in each role, in {@link WorkShare#ORDER}
   * @param burned the burn share plus every unpaid remainder
   */
  public record Payout(List<WorkShare> shares, BigInteger burned) {
    public Payout {
      shares = shares.stream().sorted(WorkShare.ORDER).toList();
    }

    /** What each recipient earns in all its roles together, in address order. */
    public SortedMap<Address, BigInteger> credits() {
      SortedMap<Address, BigInteger> credits = new TreeMap<>();
      shares.forEach(s -> credits.merge(s.account(), s.amount(), BigInteger::add));
      return credits;
    }

    /** Everything the payout accounts for; always equal to the fee that was split. */
    public BigInteger total() {
      return shares.stream().map(WorkShare::amount).reduce(burned, BigInteger::add);
    }
  }

  /** Splits {@code fee} between {@code parties}. */
  public Payout split(BigInteger fee, Parties parties) {
    if (fee.signum() < 0) {
      throw new IllegalArgumentException("a fee cannot be negative: " + fee);
    }
    List<WorkShare> shares = new ArrayList<>();
    BigInteger paid = BigInteger.ZERO;
    paid =
        paid.add(
            proRata(
                shares,
                WorkRole.CONTRIBUTOR,
                share(fee, split.contributorsBps()),
                positive(parties.contributorWeights())));
    paid =
        paid.add(
            payOne(
                shares,
                WorkRole.FINE_TUNER,
                share(fee, split.fineTunerBps()),
                parties.fineTuner()));
    paid =
        paid.add(
            payOne(shares, WorkRole.EXECUTOR, share(fee, split.executorBps()), parties.executor()));
    TreeMap<Address, BigInteger> equal = new TreeMap<>();
    parties.verifiers().forEach(v -> equal.merge(v, BigInteger.ONE, BigInteger::add));
    paid = paid.add(proRata(shares, WorkRole.VERIFIER, share(fee, split.verifiersBps()), equal));
    TreeMap<Address, BigInteger> power = new TreeMap<>();
    parties
        .validators()
        .validators()
        .forEach(v -> power.merge(v.address(), v.power(), BigInteger::add));
    paid = paid.add(proRata(shares, WorkRole.VALIDATOR, share(fee, split.validatorsBps()), power));
    return new Payout(shares, fee.subtract(paid));
  }

  private static BigInteger share(BigInteger fee, int bps) {
    return fee.multiply(BigInteger.valueOf(bps)).divide(BPS);
  }

  private static TreeMap<Address, BigInteger> positive(Map<Address, BigInteger> weights) {
    TreeMap<Address, BigInteger> out = new TreeMap<>();
    weights.forEach(
        (address, weight) -> {
          if (weight.signum() > 0) {
            out.merge(address, weight, BigInteger::add);
          }
        });
    return out;
  }

  private static BigInteger payOne(
      List<WorkShare> shares, WorkRole role, BigInteger amount, Optional<Address> to) {
    if (to.isEmpty() || amount.signum() == 0) {
      return BigInteger.ZERO;
    }
    shares.add(new WorkShare(to.get(), role, amount));
    return amount;
  }

  /** Pays {@code amount} pro rata to positive weights, rounding each down; returns what it paid. */
  private static BigInteger proRata(
      List<WorkShare> shares,
      WorkRole role,
      BigInteger amount,
      SortedMap<Address, BigInteger> weights) {
    BigInteger total = weights.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    if (total.signum() == 0 || amount.signum() == 0) {
      return BigInteger.ZERO;
    }
    BigInteger paid = BigInteger.ZERO;
    for (Map.Entry<Address, BigInteger> entry : weights.entrySet()) {
      BigInteger part = amount.multiply(entry.getValue()).divide(total);
      if (part.signum() > 0) {
        shares.add(new WorkShare(entry.getKey(), role, part));
        paid = paid.add(part);
      }
    }
    return paid;
  }
}
