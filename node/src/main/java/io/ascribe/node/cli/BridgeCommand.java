package io.ascribe.node.cli;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import java.io.PrintWriter;
import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe bridge deposit}: lock OPEN in the bridge for an Ascribe account. */
@Command(
    name = "bridge",
    description = "Move OPEN from the EVM chain to Ascribe.",
    subcommands = BridgeCommand.Deposit.class)
final class BridgeCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "deposit",
      description =
          "Approve and lock OPEN in the bridge; validators credit it on Ascribe once it is final.")
  static final class Deposit implements Runnable {
    @Mixin EvmOptions evm;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--bridge",
        paramLabel = "ADDR",
        required = true,
        description = "OpenBridge address.")
    String bridge;

    @Option(
        names = "--token",
        paramLabel = "ADDR",
        required = true,
        description = "OpenToken address.")
    String token;

    @Option(
        names = "--amount",
        paramLabel = "OPEN",
        required = true,
        description = "Amount in OPEN.")
    String amount;

    @Option(
        names = "--to",
        paramLabel = "ASCRIBE_ADDR",
        required = true,
        description = "Recipient on Ascribe.")
    String to;

    @Override
    public void run() {
      Address bridgeAddress = Address.fromHex(bridge);
      Address tokenAddress = Address.fromHex(token);
      Address recipient = Address.fromHex(to);
      BigInteger wei = Amount.parseOpen(amount);
      TransactionReceipt receipt =
          evm.with(client -> client.deposit(tokenAddress, bridgeAddress, wei, recipient));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "deposited %s OPEN for %s in EVM transaction %s%n",
          Amount.formatOpen(wei), recipient, receipt.getTransactionHash());
      out.flush();
    }
  }
}
