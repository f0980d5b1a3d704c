package io.ascribe.node.cli;

import io.ascribe.contracts.settlement.Contracts;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import java.math.BigInteger;
import org.web3j.protocol.Web3j;

/**
 * The settlement contracts that {@code devnet --evm} and {@code testnet up --evm} deploy on a fresh
 * anvil from dev account 0, whose first deployment there puts the distributor where the genesis's
 * settlement says (ADR 003): one place for what is deployed and for the check that it landed where
 * the validators sign epoch roots for.
 */
final class DevContracts {
  /** OPEN that dev account 0 receives on the EVM chain, and the part moved into the distributor. */
  private static final BigInteger EVM_SUPPLY = Amount.parseOpen("1000000000");

  private static final BigInteger REWARD_POOL = Amount.parseOpen("100000000");

  private DevContracts() {}

  /**
   * Deploys the token, distributor and bridge for {@code genesis}'s validators through {@code
   * web3j} (anvil at {@code url}).
   *
   * @param fix what to tell the operator when the distributor lands elsewhere
   * @throws UserErrorException when it does
   */
  static Contracts deploy(Web3j web3j, String url, Genesis genesis, String fix) {
    Contracts contracts =
        new SettlementClient(web3j, DevnetGenesis.devAccounts().get(0))
            .deployAll(EVM_SUPPLY, EvmCommand.Deploy.settlementSet(genesis), REWARD_POOL);
    Address expected = genesis.settlement().orElseThrow().distributor();
    if (!contracts.distributor().equals(expected)) {
      throw new UserErrorException(
          "anvil at "
              + url
              + " put the distributor at "
              + contracts.distributor()
              + ", not at "
              + expected
              + " where the genesis's validators sign epoch roots for: "
              + fix);
    }
    return contracts;
  }
}
