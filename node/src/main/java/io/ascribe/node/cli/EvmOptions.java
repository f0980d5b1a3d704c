package io.ascribe.node.cli;

import io.ascribe.contracts.settlement.ContractRevertedException;
import io.ascribe.contracts.settlement.SettlementClient;
import io.ascribe.core.crypto.PrivateKey;
import java.util.function.Function;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Option;

/** The EVM endpoint and the key that sends EVM transactions, for the settlement commands. */
final class EvmOptions {
  @Option(
      names = "--evm-rpc",
      paramLabel = "URL",
      required = true,
      description = "JSON-RPC URL of the EVM chain.")
  String url;

  @Option(
      names = "--key",
      paramLabel = "HEX",
      required = true,
      description = "Private key that sends (and pays gas for) the EVM transactions.")
  String key;

  /** Runs {@code work} with a settlement client, turning EVM failures into one-line errors. */
  <T> T with(Function<SettlementClient, T> work) {
    try {
      return withReverts(work);
    } catch (ContractRevertedException e) {
      throw new UserErrorException("the contract refused: " + e.getMessage());
    }
  }

  /**
   * As {@link #with}, but a contract's revert comes out as the {@link ContractRevertedException}
   * itself, for a caller that can act on it.
   */
  <T> T withReverts(Function<SettlementClient, T> work) {
    PrivateKey sender = PrivateKey.fromHex(key);
    Web3j web3j = Web3j.build(new HttpService(url));
    try {
      return work.apply(new SettlementClient(web3j, sender));
    } catch (ContractRevertedException e) {
      throw e;
    } catch (RuntimeException e) {
      if (rootIs(e, java.net.ConnectException.class)) {
        throw new UserErrorException("cannot reach an EVM node at " + url + ": is it running?");
      }
      throw e;
    } finally {
      web3j.shutdown();
    }
  }

  private static boolean rootIs(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
