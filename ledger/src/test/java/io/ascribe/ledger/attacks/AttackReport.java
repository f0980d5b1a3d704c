package io.ascribe.ledger.attacks;

import io.ascribe.core.types.Amount;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * One attack strategy's result: what the attacker spent and earned (wei) and so its net, and how
 * much the honest contributors' total reward dropped against the same seeded run without the
 * attacker. {@link #print} writes it as a small table.
 */
record AttackReport(
    String strategy,
    BigInteger spent,
    BigInteger earned,
    BigInteger honestWith,
    BigInteger honestWithout) {

  public BigInteger net() {
    return earned.subtract(spent);
  }

  /** The honest contributors' loss in percent of what they earn without the attacker. */
  public double honestLossPercent() {
    if (honestWithout.signum() == 0) {
      return 0;
    }
    return new BigDecimal(honestWithout.subtract(honestWith))
        .multiply(BigDecimal.valueOf(100))
        .divide(new BigDecimal(honestWithout), 4, RoundingMode.HALF_EVEN)
        .doubleValue();
  }

  public String table() {
    String format = "| %-32s | %16s | %16s | %17s | %11s |%n";
    return String.format(
            format, "strategy", "spent (OPEN)", "earned (OPEN)", "net (OPEN)", "honest loss")
        + String.format(
            format, "-".repeat(32), "-".repeat(16), "-".repeat(16), "-".repeat(17), "-".repeat(11))
        + String.format(
            format,
            strategy,
            open(spent),
            open(earned),
            open(net()),
            String.format("%.2f%%", honestLossPercent()));
  }

  public void print() {
    System.out.print(table());
  }

  private static String open(BigInteger wei) {
    return new BigDecimal(wei)
        .divide(new BigDecimal(Amount.ONE_OPEN), 6, RoundingMode.HALF_EVEN)
        .toPlainString();
  }
}
