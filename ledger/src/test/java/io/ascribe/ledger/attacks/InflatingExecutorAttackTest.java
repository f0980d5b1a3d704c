package io.ascribe.ledger.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.InferenceChain;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.attacks.InferenceMarketSimulation.Doc;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (e) An executor inflating its own contribution's attribution: it serves honest users' requests in
 * turn with the honest executors, and in every receipt it posts, its own document (never retrieved)
 * takes 60% of the answer. The verifier's re-execution disagrees, it challenges each such receipt,
 * the voters uphold, the users get their fees back and each upheld challenge slashes half of a full
 * capability bond, so two of them empty its bond and it is no longer an executor at all (it stays a
 * validator: the capability bond, not the stake, answers for its receipts).
 */
class InflatingExecutorAttackTest {
  private static final PrivateKey EXECUTOR = InferenceMarketSimulation.key(1000);
  private static final long STOLEN_PPM = 600_000;

  /** Scores every request it serves with its own document on top. */
  static final class InflatingExecutor implements InferenceAttack {
    private Hash own;
    private boolean everCapable;
    private boolean capableAtEnd;
    private BigInteger bondAtEnd;

    @Override
    public Map<PrivateKey, BigInteger> funding() {
      // The validator stake, the capability bond, one contribution's bond and the fees.
      return Map.of(EXECUTOR, InferenceChain.OPEN.multiply(BigInteger.valueOf(12_000)));
    }

    @Override
    public void setup(InferenceMarketSimulation market) {
      market.becomeExecutor(EXECUTOR);
      SignedTransaction tx =
          market.chain().contribution(EXECUTOR, market.datanet(), market.texts().text(120));
      market.chain().ok(tx);
      own = InferenceChain.objectId("contribution", tx);
      market.addDoc(new Doc(own, EXECUTOR.address(), 1.0, false));
      market.addExecutor(EXECUTOR, request -> inflate(market.oracle(request)));
    }

    /** Its own document gets 60%; the others' positive scores shrink to share the rest. */
    private Map<Hash, Long> inflate(Map<Hash, Long> truth) {
      long rest = AttributionScore.ONE_PPM - STOLEN_PPM;
      long positive = truth.values().stream().mapToLong(v -> Math.max(0, v)).sum();
      Map<Hash, Long> scores = new LinkedHashMap<>();
      long given = 0;
      for (Map.Entry<Hash, Long> e : truth.entrySet()) {
        long ppm = e.getValue() > 0 ? e.getValue() * rest / positive : e.getValue();
        scores.put(e.getKey(), ppm);
        given += Math.max(0, ppm);
      }
      scores.put(own, AttributionScore.ONE_PPM - given);
      return scores;
    }

    @Override
    public List<SignedTransaction> onRound(InferenceMarketSimulation market, int round) {
      boolean capable = market.capable(EXECUTOR.address());
      everCapable |= capable;
      capableAtEnd = capable;
      bondAtEnd = market.chain().capabilityBond(EXECUTOR.address());
      return List.of();
    }

    @Override
    public List<Address> identities() {
      return List.of(EXECUTOR.address());
    }
  }

  @Test
  void inflatedReceiptsAreChallengedAndTheExecutorIsSlashedOutOfTheMarket(@TempDir Path dir) {
    InflatingExecutor attack = new InflatingExecutor();
    AttackReport report =
        InferenceMarketSimulation.report("(e) executor inflating itself", dir, attack);
    assertThat(attack.everCapable).isTrue();
    assertThat(attack.capableAtEnd).isFalse();
    // Slashed: its whole 1,000 OPEN capability bond is gone.
    assertThat(attack.bondAtEnd).isZero();
    assertThat(report.spent()).isGreaterThanOrEqualTo(InferenceChain.EXECUTOR_BOND);
    assertThat(report.net()).isNegative();
    assertThat(report.honestLossPercent()).isLessThanOrEqualTo(10.0);
  }
}
