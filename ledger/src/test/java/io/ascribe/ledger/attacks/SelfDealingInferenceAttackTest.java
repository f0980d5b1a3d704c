package io.ascribe.ledger.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.InferenceChain;
import io.ascribe.ledger.attacks.InferenceMarketSimulation.Doc;
import io.ascribe.ledger.attacks.InferenceMarketSimulation.Request;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (a) Self-dealing inference: the attacker pays for requests that retrieve only its own
 * contributions, with its own adapter, served by its own executor, so it is user, contributor,
 * fine-tuner and executor at once. The validators' share (mostly others'), the verifiers' share
 * (burned: nobody re-checks a receipt that is right) and the burn never come back.
 */
class SelfDealingInferenceAttackTest {
  private static final PrivateKey ATTACKER = InferenceMarketSimulation.key(1000);

  /** Three 1-OPEN requests a round over its own four documents. */
  static final class SelfDealing implements InferenceAttack {
    private final List<Doc> own = new ArrayList<>();
    private Hash adapter;

    @Override
    public Map<PrivateKey, BigInteger> funding() {
      return Map.of(ATTACKER, InferenceChain.OPEN.multiply(BigInteger.valueOf(20_000)));
    }

    @Override
    public void setup(InferenceMarketSimulation market) {
      market.becomeExecutor(ATTACKER);
      adapter = market.chain().tuneAdapter(ATTACKER, market.model(), market.datanet());
      List<SignedTransaction> txs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        SignedTransaction tx =
            market.chain().contribution(ATTACKER, market.datanet(), market.texts().text(120));
        txs.add(tx);
        own.add(
            new Doc(InferenceChain.objectId("contribution", tx), ATTACKER.address(), 1.0, false));
      }
      market.chain().okAll(txs);
      own.forEach(market::addDoc);
    }

    @Override
    public List<SignedTransaction> onRound(InferenceMarketSimulation market, int round) {
      List<InferenceReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Request request = market.request(ATTACKER, own, InferenceChain.OPEN, Optional.of(adapter));
        receipts.add(market.receipt(request, ATTACKER.address(), market.oracle(request)));
      }
      return List.of(market.chain().submit(ATTACKER, receipts));
    }

    @Override
    public List<Address> identities() {
      return List.of(ATTACKER.address());
    }
  }

  @Test
  void payingFeesToYourselfLosesMoney(@TempDir Path dir) {
    AttackReport report =
        InferenceMarketSimulation.report("(a) self-dealing inference", dir, new SelfDealing());
    // It earns back much of what it pays, but never all of it.
    assertThat(report.earned()).isPositive();
    assertThat(report.net()).isNegative();
    assertThat(report.honestLossPercent()).isLessThanOrEqualTo(10.0);
  }
}
