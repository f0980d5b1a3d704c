package io.ascribe.ledger.attacks;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** One attack strategy against the inference market that {@link InferenceMarketSimulation} runs. */
interface InferenceAttack {
  /** The accounts the attacker holds at genesis, with their balances. */
  Map<PrivateKey, BigInteger> funding();

  /** Runs before the first round: the attacker's contributions, stake, identities. */
  void setup(InferenceMarketSimulation market);

  /** The attacker's transactions in round {@code round}. */
  List<SignedTransaction> onRound(InferenceMarketSimulation market, int round);

  /** Every address the attacker controls; its net is summed over them. */
  List<Address> identities();
}
