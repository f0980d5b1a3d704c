package io.ascribe.ledger.attacks;

import io.ascribe.core.types.Amount;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;

/**
 * The table an attack simulation prints: per strategy, the OPEN its accounts spent and earned,
 * their net, their net against the same accounts playing honest, and how much the honest data
 * contributors' total reward fell against a run without the attacker.
 */
final class AttackTable {
  /**
   * One strategy's outcome.
   *
   * @param vsHonest net minus the same accounts' net in the run where they play honest
   * @param honestLossPct percent by which the honest contributors' total reward fell
   */
  record Row(
      String strategy,
      BigInteger spent,
      BigInteger earned,
      BigInteger net,
      BigInteger vsHonest,
      double honestLossPct) {}

  private AttackTable() {}

  static String render(String title, List<Row> rows) {
    StringBuilder out = new StringBuilder(title).append('\n');
    String format = "%-44s %14s %14s %14s %14s %12s%n";
    out.append(
        String.format(
            format,
            "strategy",
            "spent OPEN",
            "earned OPEN",
            "net OPEN",
            "vs honest",
            "honest loss"));
    for (Row row : rows) {
      out.append(
          String.format(
              format,
              row.strategy(),
              open(row.spent()),
              open(row.earned()),
              open(row.net()),
              open(row.vsHonest()),
              String.format("%.2f%%", row.honestLossPct())));
    }
    return out.toString();
  }

  private static String open(BigInteger wei) {
    return new BigDecimal(wei)
        .divide(new BigDecimal(Amount.ONE_OPEN), 2, RoundingMode.DOWN)
        .toPlainString();
  }
}
