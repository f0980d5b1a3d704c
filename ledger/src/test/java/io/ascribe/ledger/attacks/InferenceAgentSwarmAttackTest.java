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
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (d) An agent swarm farming rewards: a master runs an executor with its own adapter and funds
 * twelve agents, each a contributor of two documents; every round the agents send one another paid
 * requests that retrieve the swarm's documents, and the master posts the receipts. Every wei goes
 * round the swarm, except the shares that leave it (validators, verifiers, burn).
 */
class InferenceAgentSwarmAttackTest {
  private static final PrivateKey MASTER = InferenceMarketSimulation.key(1000);
  private static final List<PrivateKey> AGENTS = InferenceMarketSimulation.keys(1001, 12);

  /** Colluding agents paying for one another's documents through the master's executor. */
  static final class AgentSwarm implements InferenceAttack {
    private final List<Doc> swarmDocs = new ArrayList<>();
    private Hash adapter;

    @Override
    public Map<PrivateKey, BigInteger> funding() {
      return Map.of(MASTER, InferenceChain.OPEN.multiply(BigInteger.valueOf(20_000)));
    }

    @Override
    public void setup(InferenceMarketSimulation market) {
      InferenceChain chain = market.chain();
      market.becomeExecutor(MASTER);
      adapter = chain.tuneAdapter(MASTER, market.model(), market.datanet());
      market.fund(MASTER, AGENTS, InferenceChain.OPEN.multiply(BigInteger.valueOf(300)));
      List<SignedTransaction> contributions = new ArrayList<>();
      for (PrivateKey agent : AGENTS) {
        for (int i = 0; i < 2; i++) {
          SignedTransaction tx =
              chain.contribution(agent, market.datanet(), market.texts().text(120));
          contributions.add(tx);
          swarmDocs.add(
              new Doc(
                  InferenceChain.objectId("contribution", tx),
                  agent.address(),
                  0.5 + market.random().nextDouble(),
                  false));
        }
      }
      chain.okAll(contributions);
      swarmDocs.forEach(market::addDoc);
    }

    @Override
    public List<SignedTransaction> onRound(InferenceMarketSimulation market, int round) {
      Random random = market.random();
      List<InferenceReceipt> receipts = new ArrayList<>();
      for (PrivateKey agent : AGENTS) {
        if (random.nextDouble() >= 0.6) {
          continue;
        }
        List<Doc> pool = new ArrayList<>(swarmDocs);
        List<Doc> retrieved = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          retrieved.add(pool.remove(random.nextInt(pool.size())));
        }
        BigInteger fee =
            InferenceChain.REQUEST_FEE.multiply(BigInteger.valueOf(10 + random.nextInt(40)));
        Request request = market.request(agent, retrieved, fee, Optional.of(adapter));
        receipts.add(market.receipt(request, MASTER.address(), market.oracle(request)));
      }
      return receipts.isEmpty() ? List.of() : List.of(market.chain().submit(MASTER, receipts));
    }

    @Override
    public List<Address> identities() {
      return Stream.concat(Stream.of(MASTER), AGENTS.stream()).map(PrivateKey::address).toList();
    }
  }

  @Test
  void aSwarmPayingItselfLosesWhatLeavesIt(@TempDir Path dir) {
    AttackReport report =
        InferenceMarketSimulation.report("(d) agent swarm farming receipts", dir, new AgentSwarm());
    assertThat(report.earned()).isPositive();
    assertThat(report.net()).isNegative();
    assertThat(report.honestLossPercent()).isLessThanOrEqualTo(10.0);
  }
}
