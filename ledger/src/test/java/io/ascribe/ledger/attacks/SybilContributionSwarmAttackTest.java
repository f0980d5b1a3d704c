package io.ascribe.ledger.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.ledger.InferenceChain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (b) A sybil swarm: twenty identities funded by one master contribute copies of honest documents
 * (exact copies, and near copies with one or two words in a hundred changed) to take a share of
 * their retrievals. Exact copies are refused by content hash, near copies by MinHash, so the swarm
 * pays its fees and never gets a document into the datanet.
 */
class SybilContributionSwarmAttackTest {
  private static final PrivateKey MASTER = InferenceMarketSimulation.key(1000);
  private static final List<PrivateKey> SYBILS = InferenceMarketSimulation.keys(1001, 20);
  private static final int COPY_ROUNDS = 9;

  /** Each sybil submits one copy a round for the first rounds; refusals are collected. */
  static final class SybilSwarm implements InferenceAttack {
    private final List<SignedTransaction> pending = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private int accepted;

    @Override
    public Map<PrivateKey, BigInteger> funding() {
      return Map.of(MASTER, InferenceChain.OPEN.multiply(BigInteger.valueOf(1_000)));
    }

    @Override
    public void setup(InferenceMarketSimulation market) {
      market.fund(MASTER, SYBILS, InferenceChain.OPEN.multiply(BigInteger.valueOf(20)));
    }

    @Override
    public List<SignedTransaction> onRound(InferenceMarketSimulation market, int round) {
      for (SignedTransaction tx : pending) {
        String error = market.chain().ledger().receipt(tx.hash()).orElseThrow().error();
        if (error.isEmpty()) {
          accepted++;
        } else {
          refusals.add(error);
        }
      }
      pending.clear();
      if (round >= COPY_ROUNDS) {
        return List.of();
      }
      List<String> originals = market.honestTexts();
      for (PrivateKey sybil : SYBILS) {
        String original = originals.get(market.random().nextInt(originals.size()));
        String copy =
            switch (round % 3) {
              case 0 -> original;
              case 1 -> market.texts().perturb(original, 100);
              default -> market.texts().perturb(original, 60);
            };
        pending.add(market.chain().contribution(sybil, market.datanet(), copy));
      }
      return List.copyOf(pending);
    }

    @Override
    public List<Address> identities() {
      return Stream.concat(Stream.of(MASTER), SYBILS.stream()).map(PrivateKey::address).toList();
    }
  }

  @Test
  void copiesAndNearCopiesAreRefusedAndTheSwarmOnlyPaysFees(@TempDir Path dir) {
    SybilSwarm swarm = new SybilSwarm();
    AttackReport report = InferenceMarketSimulation.report("(b) sybil swarm of copies", dir, swarm);
    assertThat(swarm.accepted).isZero();
    assertThat(swarm.refusals).hasSize(COPY_ROUNDS * SYBILS.size());
    assertThat(swarm.refusals)
        .allSatisfy(
            e ->
                assertThat(e)
                    .matches(
                        "content .* is already contribution .* in this datanet|near duplicate .*"));
    assertThat(swarm.refusals).anyMatch(e -> e.startsWith("near duplicate"));
    assertThat(report.earned()).isZero();
    assertThat(report.net()).isNegative();
    assertThat(report.honestLossPercent()).isLessThanOrEqualTo(10.0);
  }
}
