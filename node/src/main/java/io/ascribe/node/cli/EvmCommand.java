package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.settlement.Contracts;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.Genesis;
import io.ascribe.genesis.GenesisLoader;
import io.ascribe.genesis.InvalidGenesisException;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe evm deploy}: put OPEN, the reward distributor and the bridge on an EVM chain. */
@Command(
    name = "evm",
    description = "Settlement contracts on an EVM chain.",
    subcommands = EvmCommand.Deploy.class)
final class EvmCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "deploy",
      description =
          "Deploy OpenToken, RewardDistributor (for the validators in FILE) and OpenBridge; print their addresses.")
  static final class Deploy implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin EvmOptions evm;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--validators",
        paramLabel = "FILE",
        required = true,
        description =
            "A genesis file (its validators, power = whole OPEN staked) or a JSON list of {\"address\", \"power\"}.")
    Path validatorsFile;

    @Option(
        names = "--supply",
        paramLabel = "OPEN",
        defaultValue = "1000000000",
        description = "OPEN minted to the sender (default: ${DEFAULT-VALUE}).")
    String supply;

    @Option(
        names = "--reward-pool",
        paramLabel = "OPEN",
        defaultValue = "0",
        description = "OPEN moved into the distributor for claims (default: ${DEFAULT-VALUE}).")
    String rewardPool;

    @Override
    public void run() {
      ValidatorSet validators = readValidators(validatorsFile);
      BigInteger minted = Amount.parseOpen(supply);
      BigInteger pool = Amount.parseOpen(rewardPool);
      Contracts deployed = evm.with(client -> client.deployAll(minted, validators, pool));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "{%n  \"token\": \"%s\",%n  \"distributor\": \"%s\",%n  \"bridge\": \"%s\"%n}%n",
          deployed.token(), deployed.distributor(), deployed.bridge());
      out.flush();
    }

    /**
     * The genesis validators as the distributor stores them: powers in whole OPEN, the unit the
     * chain signs epoch roots with, so the hashes agree.
     */
    static ValidatorSet settlementSet(Genesis genesis) {
      List<io.ascribe.ledger.state.ValidatorSet.Validator> stakes = new ArrayList<>();
      for (Genesis.GenesisValidator v : genesis.validators()) {
        stakes.add(new io.ascribe.ledger.state.ValidatorSet.Validator(v.address(), v.stake()));
      }
      return new io.ascribe.ledger.state.ValidatorSet(stakes).settlementSet();
    }

    static ValidatorSet readValidators(Path file) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new UserErrorException("cannot read " + file + ": " + e.getMessage());
      }
      Map<Address, BigInteger> powers = new LinkedHashMap<>();
      JsonNode json;
      try {
        json = JSON.readTree(text);
      } catch (IOException e) {
        throw new UserErrorException(file + " is not JSON: " + e.getMessage());
      }
      if (json.isArray()) {
        int i = 0;
        for (JsonNode entry : json) {
          try {
            powers.put(
                Address.fromHex(entry.path("address").asText()),
                new BigInteger(entry.path("power").asText()));
          } catch (IllegalArgumentException e) {
            throw new UserErrorException(
                file
                    + ": entry "
                    + i
                    + " needs \"address\" (hex) and \"power\" (integer): "
                    + e.getMessage());
          }
          i++;
        }
      } else {
        Genesis genesis;
        try {
          genesis = GenesisLoader.parse(text);
        } catch (InvalidGenesisException e) {
          throw new UserErrorException(file + ": " + e.getMessage());
        }
        return settlementSet(genesis);
      }
      if (powers.isEmpty()) {
        throw new UserErrorException(file + " names no validators");
      }
      return ValidatorSet.of(powers);
    }
  }
}
