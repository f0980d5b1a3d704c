package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.state.AccountProofJson;
import io.ascribe.core.state.AccountState;
import io.ascribe.core.state.AnchoredProof;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.client.RpcClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ascribe account ...}: read an account, with a proof checked on this machine. */
@Command(
    name = "account",
    description = "Read accounts.",
    subcommands = {AccountCommand.Show.class, AccountCommand.Proof.class})
final class AccountCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "show", description = "Balance, nonce and stake of an address.")
  static final class Show implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Override
    public void run() {
      Address who = Address.fromHex(address);
      RpcClient client = rpc.client();
      var out = spec.commandLine().getOut();
      out.printf("address  %s%n", who);
      out.printf(
          "balance  %s OPEN%n",
          Amount.formatOpen(
              Quantities.parse(client.call("ascribe_getBalance", who.toString()).asText())));
      out.printf(
          "nonce    %s%n",
          Quantities.parse(client.call("ascribe_getNonce", who.toString()).asText()));
      out.flush();
    }
  }

  @Command(
      name = "proof",
      description =
          "Fetch a state proof for an address and verify it here against the block header's state root.")
  static final class Proof implements Runnable {
    @Mixin RpcOption rpc;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Override
    public void run() {
      Address who = Address.fromHex(address);
      RpcClient client = rpc.client();
      AnchoredProof anchored =
          AccountProofJson.fromJson(client.call("ascribe_getProof", who.toString()));
      JsonNode header =
          client.call("ascribe_getBlockByNumber", Quantities.toHex(anchored.height()), false);
      Hash headerRoot = Hash.fromHex(header.path("stateRoot").asText());
      var out = spec.commandLine().getOut();
      boolean verified =
          headerRoot.equals(anchored.stateRoot()) && anchored.proof().verify(headerRoot);
      if (!verified) {
        throw new UserErrorException(
            "the proof for "
                + who
                + " does NOT verify against block "
                + anchored.height()
                + "'s state root "
                + headerRoot
                + ": do not trust this node");
      }
      AccountState state = anchored.proof().stateOrEmpty();
      out.printf(
          "verified at height %d against state root %s (%d siblings)%n",
          anchored.height(), headerRoot, anchored.proof().siblings().size());
      out.printf(
          "address    %s%s%n",
          who, anchored.proof().account().isEmpty() ? " (no account: proven absent)" : "");
      out.printf("balance    %s OPEN%n", Amount.formatOpen(state.balance()));
      out.printf("nonce      %d%n", state.nonce());
      out.printf("stake      %s OPEN%n", Amount.formatOpen(state.stake()));
      out.printf(
          "unbonding  %s OPEN%s%n",
          Amount.formatOpen(state.unbonding()),
          state.unbonding().signum() > 0
              ? " (back in the balance at block " + state.unbondingHeight() + ")"
              : "");
      out.flush();
    }
  }
}
