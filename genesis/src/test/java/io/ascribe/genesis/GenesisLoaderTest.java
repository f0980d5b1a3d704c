package io.ascribe.genesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Amount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GenesisLoaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MISSING = "<missing>";

  /**
   * Each row edits one value of the devnet genesis JSON (a JSON pointer and the new JSON value, or
   * {@value #MISSING} to delete it) and names the field and message the loader must report.
   */
  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # missing fields, at any depth
          /chainId                       | <missing>             | chainId                       | missing
          /params/feeSplit/burnBps       | <missing>             | params.feeSplit.burnBps       | missing
          /validators/0/stake            | <missing>             | validators[0].stake           | missing
          # wrong JSON types
          /chainId                       | "1337"                | chainId                       | must be an integer, got string "1337"
          /params/blockTimeMs            | 1000.5                | params.blockTimeMs            | must be an integer, got number 1000.5
          /chainId                       | 99999999999999999999  | chainId                       | out of range
          /params/maxBlockTxs            | 3000000000            | params.maxBlockTxs            | out of range
          /validators                    | {}                    | validators                    | must be a JSON array, got an object
          /validators/0                  | []                    | validators[0]                 | must be a JSON object, got an array
          /params                        | null                  | params                        | must be a JSON object, got null
          /validators/0/stake            | 100000                | validators[0].stake           | must be a decimal OPEN amount in a string
          /allocations/0/address         | null                  | allocations[0].address        | must be a string, got null
          # unknown fields: a typo must not pass as a default
          /chainid                       | 1337                  | chainid                       | unknown field; expected one of [allocations, bridge, chainId, genesisTime, params, settlement, validators]
          /params/feeSplit/treasuryBps   | 0                     | params.feeSplit.treasuryBps   | unknown field
          /allocations/3/balanc          | "1"                   | allocations[3].balanc         | unknown field
          # chain id and time
          /chainId                       | 0                     | chainId                       | must be at least 1, got 0
          /genesisTime                   | "2026-01-01 00:00:00" | genesisTime                   | must be an ISO-8601 instant
          # validators, allocations and addresses
          /validators                    | []                    | validators                    | must list at least one validator
          /validators/1                  | {"address": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "stake": "1000"} | validators[1].address | 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 is already listed at validators[0]
          /allocations/10                | {"address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "balance": "1"}  | allocations[10].address | already listed at allocations[1]
          /allocations/0/address         | "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266" | allocations[0].address | wrong EIP-55 checksum
          /validators/0/address          | "0x1234"              | validators[0].address         | 20 bytes
          /validators/0/address          | "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266" | validators[0].address | not a hex digit
          /validators/0/stake            | "999.999999999999999999" | validators[0].stake        | must be at least params.minValidatorStake (1000 OPEN), got 999.999999999999999999
          /allocations/0/balance         | "-1"                  | allocations[0].balance        | must not be negative
          /allocations/0/balance         | "0.0000000000000000001" | allocations[0].balance      | has more
          /allocations/0/balance         | "lots"                | allocations[0].balance        | not a decimal OPEN amount
          # protocol parameters
          /params/blockTimeMs            | 9                     | params.blockTimeMs            | must be in [10, 600000] milliseconds, got 9
          /params/blockTimeMs            | 600001                | params.blockTimeMs            | must be in [10, 600000] milliseconds, got 600001
          /params/epochLength            | 0                     | params.epochLength            | must be at least 1, got 0
          /params/epochLength            | 1                     | params.epochLength            | must be at least 2 on a chain that settles on an EVM chain, got 1
          /params/validatorSetDelay      | 0                     | params.validatorSetDelay      | must be at least 1, got 0
          /params/unbondingBlocks        | 999                   | params.unbondingBlocks        | must be at least params.ai.slashing.evidenceMaxAgeBlocks (1000), got 999, so that unbonding stake stays slashable while evidence against it may be included: raise it (or leave it out for the default, 1000) or lower evidenceMaxAgeBlocks
          /params/unbondingBlocks        | "1000"                | params.unbondingBlocks        | must be an integer, got string "1000"
          /params/maxBlockTxs            | 0                     | params.maxBlockTxs            | must be at least 1, got 0
          /params/bondLockBlocks         | 0                     | params.bondLockBlocks         | must be at least 1, got 0
          /params/bondLockBlocks         | <missing>             | params.bondLockBlocks         | missing
          /params/minValidatorStake      | "0"                   | params.minValidatorStake      | must be more than 0
          /params/minFee                 | "-0.1"                | params.minFee                 | must not be negative
          /params/feeSplit/burnBps       | -1                    | params.feeSplit.burnBps       | must be in [0, 10000] basis points, got -1
          /params/feeSplit/validatorsBps | 10001                 | params.feeSplit.validatorsBps | must be in [0, 10000] basis points, got 10001
          /params/feeSplit/burnBps       | 1999                  | params.feeSplit               | burnBps + validatorsBps must be 10000 (all of each fee), got 9999
          # the AI ledger's parameters
          /params/ai                     | <missing>             | params.ai                     | missing
          # settlement (optional, but whole when present)
          /settlement                    | []                    | settlement                    | must be a JSON object, got an array
          /settlement/distributor        | <missing>             | settlement.distributor        | missing
          /settlement/chainId            | 1                     | settlement.chainId            | unknown field; expected one of [distributor, evmChainId]
          /settlement/evmChainId         | 0                     | settlement.evmChainId         | must be the EVM chain's id (at least 1), got 0
          /settlement/distributor        | "0x0000000000000000000000000000000000000000" | settlement.distributor | not zero
          /params/ai/jobs/verifiers      | -1                    | params.ai.jobs.verifiers      | must be in [0, 64] (0: results stand unless challenged), got -1
          /params/ai/jobs/executorBond   | "-1"                  | params.ai.jobs.executorBond   | must not be negative
          /params/ai/jobs/fraudSlashBps  | 10001                 | params.ai.jobs.fraudSlashBps  | must be in [0, 10000] basis points, got 10001
          /params/ai/jobs/verifyWindowBlocks | 0                 | params.ai.jobs.verifyWindowBlocks | must be at least 1, got 0
          /params/ai/workFeeSplit/burnBps | 999                  | params.ai.workFeeSplit        | the shares must sum to 10000 (all of each fee), got 9999
          /params/ai/workFeeSplit/extraBps | 1                   | params.ai.workFeeSplit.extraBps | unknown field
          /params/ai/inference/challengeWindowBlocks | 0         | params.ai.inference.challengeWindowBlocks | must be at least 1, got 0
          /params/ai/slashing/evidenceMaxAgeBlocks | 0           | params.ai.slashing.evidenceMaxAgeBlocks | must be at least 1, got 0
          # the optional bridge section
          /bridge                        | null                  | bridge                        | must be a JSON object, got null
          /bridge                        | {"evmChainId": 31337, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3"} | bridge.confirmations | missing
          /bridge                        | {"evmChainId": 31337, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "confirmations": 12, "startBlock": 0} | bridge.startBlock | unknown field; expected one of [address, confirmations, evmChainId]
          /bridge                        | {"evmChainId": 0, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "confirmations": 12} | bridge.evmChainId | must be at least 1, got 0
          /bridge                        | {"evmChainId": 31337, "address": "0x0000000000000000000000000000000000000000", "confirmations": 12} | bridge.address | must be the deployed OpenBridge contract, not the zero address
          /bridge                        | {"evmChainId": 31337, "address": "0x5fbdb2", "confirmations": 12} | bridge.address | 20 bytes
          /bridge                        | {"evmChainId": 31337, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "confirmations": 0} | bridge.confirmations | must be in [1, 10000] blocks, got 0
          /bridge                        | {"evmChainId": 31337, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "confirmations": 10001} | bridge.confirmations | must be in [1, 10000] blocks, got 10001
          /bridge                        | {"evmChainId": 31337, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "confirmations": "12"} | bridge.confirmations | must be an integer, got string "12"
          """)
  void reportsEachBrokenRuleWithItsPath(String pointer, String value, String field, String message)
      throws IOException {
    String json = devnetWith(pointer, value);
    assertThatThrownBy(() -> GenesisLoader.parse(json))
        .isInstanceOfSatisfying(
            InvalidGenesisException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageStartingWith("genesis field " + field + ": ")
        .hasMessageContaining(message);
  }

  /** The values just inside each bound load, so the rules above reject no more than they say. */
  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          /params/blockTimeMs            | 10
          /params/blockTimeMs            | 600000
          /params/epochLength            | 2
          /params/validatorSetDelay      | 1
          /params/unbondingBlocks        | 1000
          /params/maxBlockTxs            | 1
          /params/minFee                 | "0"
          /allocations/0/balance         | "0"
          /validators/0/stake            | "1000"
          /params/ai/jobs/verifyWindowBlocks | 1
          /allocations                   | []
          /genesisTime                   | "2026-01-01T02:00:00+02:00"
          /validators/0/address          | "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266"
          /bridge                        | {"evmChainId": 1, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "confirmations": 1}
          /bridge                        | {"evmChainId": 31337, "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "confirmations": 10000}
          """)
  void acceptsValuesOnTheBoundary(String pointer, String value) throws IOException {
    String json = devnetWith(pointer, value);
    assertThatCode(() -> GenesisLoader.parse(json)).doesNotThrowAnyException();
  }

  @Test
  void unbondingDefaultsToTheEvidenceAgeAndIsWrittenOnlyWhenItDiffers() throws IOException {
    Genesis devnet = DevnetGenesis.create();
    assertThat(devnet.params().unbondingBlocks())
        .isEqualTo(devnet.params().ai().slashing().evidenceMaxAgeBlocks());
    assertThat(GenesisLoader.parse(devnetWith("/params/unbondingBlocks", "1000")))
        .isEqualTo(devnet);
    assertThat(GenesisWriter.toCanonicalJson(devnet)).doesNotContain("unbondingBlocks");

    Genesis longer = GenesisLoader.parse(devnetWith("/params/unbondingBlocks", "5000"));
    assertThat(longer.params().unbondingBlocks()).isEqualTo(5000);
    assertThat(GenesisWriter.toCanonicalJson(longer)).contains("\"unbondingBlocks\":5000");
    assertThat(GenesisLoader.parse(GenesisWriter.toJson(longer))).isEqualTo(longer);
    assertThat(GenesisWriter.hash(longer)).isNotEqualTo(GenesisWriter.hash(devnet));
  }

  @Test
  void stakeBelowMinimumNamesTheValidatorAndBothAmounts() throws IOException {
    String json =
        devnetWith(
            "/validators/1",
            "{\"address\": \"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\", \"stake\": \"10\"}");
    assertThatThrownBy(() -> GenesisLoader.parse(json))
        .isInstanceOfSatisfying(
            InvalidGenesisException.class,
            e -> assertThat(e.field()).isEqualTo("validators[1].stake"))
        .hasMessage(
            "genesis field validators[1].stake: must be at least params.minValidatorStake"
                + " (1000 OPEN), got 10");
  }

  @Test
  void rejectsTotalSupplyBeyondUint256() throws IOException {
    // Each balance fits in uint256 on its own; together with the others they do not.
    String json =
        devnetWith(
            "/allocations/10",
            "{\"address\": \"0x0000000000000000000000000000000000000001\", \"balance\": \""
                + Amount.formatOpen(Amount.MAX)
                + "\"}");
    assertThatThrownBy(() -> GenesisLoader.parse(json))
        .isInstanceOfSatisfying(
            InvalidGenesisException.class, e -> assertThat(e.field()).isEqualTo("allocations"))
        .hasMessageContaining("total supply");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          '{\\n  "chainId": 1,\\n}'         | not valid JSON at line 3, column 1
          '{"chainId": 1} {}'             | not valid JSON at line 1
          '{"chainId": 1, "chainId": 2}'  | Duplicate field
          '  '                            | the file is empty
          '[1, 2]'                        | must be a JSON object, got an array
          """)
  void rejectsTextThatIsNotOneJsonObject(String text, String message) {
    String json = text.replace("\\n", "\n");
    assertThatThrownBy(() -> GenesisLoader.parse(json))
        .isInstanceOfSatisfying(InvalidGenesisException.class, e -> assertThat(e.field()).isEmpty())
        .hasMessageStartingWith("genesis: ")
        .hasMessageContaining(message);
  }

  @Test
  void aGenesisWithoutSettlementLoadsAndHashesAsBeforeTheFieldExisted() throws IOException {
    Genesis unsettled = GenesisLoader.parse(devnetWith("/settlement", MISSING));
    assertThat(unsettled.settlement()).isEmpty();
    assertThat(unsettled).isEqualTo(DevnetGenesis.create().withSettlement(Optional.empty()));
    assertThat(GenesisWriter.toCanonicalJson(unsettled)).doesNotContain("settlement");
    assertThat(GenesisLoader.parse(GenesisWriter.toJson(DevnetGenesis.create())).settlement())
        .contains(DevnetGenesis.SETTLEMENT);
  }

  @Test
  void loadsFromFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("genesis.json");
    Files.writeString(file, GenesisWriter.toJson(DevnetGenesis.create()));
    assertThat(GenesisLoader.load(file)).isEqualTo(DevnetGenesis.create());
  }

  @Test
  void missingFileSaysWhichAndWhy(@TempDir Path dir) {
    Path file = dir.resolve("nope.json");
    assertThatThrownBy(() -> GenesisLoader.load(file))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot read genesis file " + file + ": no such file");
  }

  @Test
  void directoryInsteadOfFileSaysWhich(@TempDir Path dir) {
    assertThatThrownBy(() -> GenesisLoader.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot read genesis file " + dir + ": ");
  }

  /** The devnet genesis as JSON, with the value at {@code pointer} replaced, added or removed. */
  private static String devnetWith(String pointer, String value) throws IOException {
    JsonNode root = JSON.readTree(GenesisWriter.toJson(DevnetGenesis.create()));
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1);
    if (parent instanceof ArrayNode array) {
      int index = Integer.parseInt(last);
      if (index == array.size()) {
        array.add(JSON.readTree(value));
      } else {
        array.set(index, JSON.readTree(value));
      }
    } else if (value.equals(MISSING)) {
      ((ObjectNode) parent).remove(last);
    } else {
      ((ObjectNode) parent).set(last, JSON.readTree(value));
    }
    return JSON.writeValueAsString(root);
  }
}
