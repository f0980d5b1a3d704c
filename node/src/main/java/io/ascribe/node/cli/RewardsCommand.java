package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe rewards claim}: claim a wallet's cumulative OPEN rewards from the distributor. */
@Command(
    name = "rewards",
    description = "Claim OPEN rewards on the EVM chain.",
    subcommands = RewardsCommand.Claim.class)
final class RewardsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "claim",
      description =
          "Claim the cumulative amount proven by a Merkle proof; the distributor pays what was not claimed yet.")
  static final class Claim implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin EvmOptions evm;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--distributor",
        paramLabel = "ADDR",
        required = true,
        description = "RewardDistributor address.")
    String distributor;

    @Option(
        names = "--amount",
        paramLabel = "CUMULATIVE",
        required = true,
        description = "The account's cumulative reward in OPEN, as in the proof.")
    String amount;

    @Option(
        names = "--proof",
        paramLabel = "FILE",
        required = true,
        description = "JSON list of the proof's hashes (or an object with a \"proof\" list).")
    Path proofFile;

    @Option(
        names = "--account",
        paramLabel = "ADDR",
        description =
            "Account to claim for (default: the key's address; the OPEN always goes to the account).")
    String account;

    @Override
    public void run() {
      Address distributorAddress = Address.fromHex(distributor);
      Address who =
          account != null ? Address.fromHex(account) : PrivateKey.fromHex(evm.key).address();
      BigInteger cumulative = Amount.parseOpen(amount);
      List<Hash> proof = readProof(proofFile);
      BigInteger before = evm.with(client -> client.claimed(distributorAddress, who));
      TransactionReceipt receipt =
          evm.with(client -> client.claim(distributorAddress, who, cumulative, proof));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "claimed %s OPEN for %s (cumulative %s OPEN) in EVM transaction %s, gas %s%n",
          Amount.formatOpen(cumulative.subtract(before)),
          who,
          Amount.formatOpen(cumulative),
          receipt.getTransactionHash(),
          receipt.getGasUsed());
      out.flush();
    }

    private static List<Hash> readProof(Path file) {
      JsonNode json;
      try {
        json = JSON.readTree(file.toFile());
      } catch (IOException e) {
        throw new UserErrorException("cannot read proof " + file + ": " + e.getMessage());
      }
      JsonNode list = json.isArray() ? json : json.path("proof");
      if (!list.isArray()) {
        throw new UserErrorException(
            file + ": expected a JSON list of hashes or {\"proof\": [...]}");
      }
      List<Hash> proof = new ArrayList<>();
      for (JsonNode h : list) {
        try {
          proof.add(Hash.fromHex(h.asText()));
        } catch (IllegalArgumentException e) {
          throw new UserErrorException(
              file + ": proof entry " + proof.size() + " is not a 32-byte hash: " + e.getMessage());
        }
      }
      return proof;
    }
  }
}
