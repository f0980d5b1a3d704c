package io.ascribe.ledger.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.ledger.InferenceChain;
import io.ascribe.ledger.attacks.InferenceMarketSimulation.Doc;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (c) Low-quality spam: the attacker floods the datanet with forty junk documents that retrieval
 * picks up (they crowd into honest requests' results in proportion to their number) but that
 * re-execution scores ≈ 0 (within ±10 ppm). The spam's positive noise earns a few wei per
 * retrieval; its transaction fees cost more, and the honest documents keep the answer's share.
 */
class SpamContributionAttackTest {
  private static final PrivateKey SPAMMER = InferenceMarketSimulation.key(1000);

  /** Forty junk documents before the first round, nothing after. */
  static final class Spam implements InferenceAttack {
    @Override
    public Map<PrivateKey, BigInteger> funding() {
      return Map.of(SPAMMER, InferenceChain.OPEN.multiply(BigInteger.valueOf(100)));
    }

    @Override
    public void setup(InferenceMarketSimulation market) {
      List<SignedTransaction> txs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        txs.add(market.chain().contribution(SPAMMER, market.datanet(), market.texts().text(60)));
      }
      market.chain().okAll(txs);
      for (SignedTransaction tx : txs) {
        market.addDoc(
            new Doc(InferenceChain.objectId("contribution", tx), SPAMMER.address(), 0, true));
      }
    }

    @Override
    public List<SignedTransaction> onRound(InferenceMarketSimulation market, int round) {
      return List.of();
    }

    @Override
    public List<Address> identities() {
      return List.of(SPAMMER.address());
    }
  }

  @Test
  void spamThatIsRetrievedButScoresNothingDoesNotPay(@TempDir Path dir) {
    AttackReport report =
        InferenceMarketSimulation.report("(c) spam contributions", dir, new Spam());
    // Retrieved and paid for its positive noise: a few wei, against its transaction fees.
    assertThat(report.earned()).isPositive();
    assertThat(report.net()).isNegative();
    assertThat(report.honestLossPercent()).isLessThanOrEqualTo(10.0);
  }
}
