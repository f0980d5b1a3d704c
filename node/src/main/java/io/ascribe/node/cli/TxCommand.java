package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.client.RpcClient;
import java.io.PrintWriter;
import java.math.BigInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe tx ...}: sign a transaction locally and send it to a node. */
@Command(
    name = "tx",
    description = "Sign and send transactions.",
    subcommands = {
      TxCommand.Transfer.class,
      TxCommand.StakeCmd.class,
      TxCommand.UnstakeCmd.class,
    })
final class TxCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every transaction takes: the node, the signing key, fee, nonce and waiting. */
  static final class TxOptions {
    @Mixin RpcOption rpc;
    @Mixin SignerOptions signer;

    @Option(
        names = "--fee",
        paramLabel = "OPEN",
        description = "Fee in OPEN (default: the chain's minimum fee).")
    String fee;

    @Option(
        names = "--nonce",
        description = "Nonce to use (default: the sender's next, counting its pending ones).")
    Long nonce;

    @Option(
        names = "--no-wait",
        description = "Return once the node accepts the transaction, without waiting for a block.")
    boolean noWait;

    /** A sender with the chain id, first nonce and fee these options and the node give. */
    TxSender sender() {
      PrivateKey key = signer.key();
      RpcClient client = rpc.client();
      long chainId = Quantities.parseLong(client.call("ascribe_chainId").asText());
      long first =
          nonce != null
              ? nonce
              : Quantities.parseLong(
                  client.call("ascribe_getNonce", key.address().toString(), "pending").asText());
      BigInteger useFee =
          fee != null
              ? Amount.parseOpen(fee)
              : Quantities.parse(client.call("ascribe_minFee").asText());
      return new TxSender(client, key, chainId, first, useFee);
    }

    /** Signs the body that {@code build} makes, sends it and (unless --no-wait) waits for it. */
    TxSender.Sent send(PrintWriter out, TxSender.BodyFactory build) {
      TxSender sender = sender();
      TxSender.Sent sent = sender.send(build);
      out.printf(
          "sent %s (nonce %d, fee %s OPEN)%n",
          sent.hash(), sent.nonce(), Amount.formatOpen(sender.fee()));
      out.flush();
      if (noWait) {
        return sent;
      }
      JsonNode receipt = sender.awaitReceipt(sent.hash());
      boolean ok = "success".equals(receipt.path("status").asText());
      out.printf(
          "%s in block %d%s%n",
          ok ? "included" : "failed",
          Quantities.parseLong(receipt.path("blockNumber").asText()),
          ok ? "" : ": " + receipt.path("error").asText());
      out.flush();
      if (!ok) {
        throw new UserErrorException(
            "transaction " + sent.hash() + " failed: " + receipt.path("error").asText());
      }
      return sent;
    }
  }

  @Command(name = "transfer", description = "Send OPEN to an address.")
  static final class Transfer implements Runnable {
    @Mixin TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--to", paramLabel = "ADDRESS", required = true, description = "Recipient.")
    String to;

    @Option(
        names = "--amount",
        paramLabel = "OPEN",
        required = true,
        description = "Amount in OPEN, e.g. 1.5.")
    String amount;

    @Override
    public void run() {
      Address recipient = Address.fromHex(to);
      BigInteger wei = Amount.parseOpen(amount);
      tx.send(
          spec.commandLine().getOut(),
          (chain, nonce, fee) -> TxBodies.transfer(chain, nonce, fee, recipient, wei));
    }
  }

  /** A transaction whose only argument is an amount of OPEN: stake and unstake. */
  abstract static class AmountTx implements Runnable {
    @Mixin TxOptions tx;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--amount",
        paramLabel = "OPEN",
        required = true,
        description = "Amount in OPEN.")
    String amount;

    abstract TxBody body(long chainId, long nonce, BigInteger fee, BigInteger wei);

    @Override
    public void run() {
      BigInteger wei = Amount.parseOpen(amount);
      tx.send(spec.commandLine().getOut(), (chain, nonce, fee) -> body(chain, nonce, fee, wei));
    }
  }

  @Command(
      name = "stake",
      description = "Bond OPEN; a large enough bond makes the sender a validator.")
  static final class StakeCmd extends AmountTx {
    @Override
    TxBody body(long chainId, long nonce, BigInteger fee, BigInteger wei) {
      return TxBodies.stake(chainId, nonce, fee, wei);
    }
  }

  @Command(
      name = "unstake",
      description =
          "Unbond OPEN: it leaves the voting power after the validator-set delay and returns to"
              + " the balance params.unbondingBlocks after that (the evidence age unless the"
              + " genesis says otherwise), slashable for a double sign until then.")
  static final class UnstakeCmd extends AmountTx {
    @Override
    TxBody body(long chainId, long nonce, BigInteger fee, BigInteger wei) {
      return TxBodies.unstake(chainId, nonce, fee, wei);
    }
  }
}
