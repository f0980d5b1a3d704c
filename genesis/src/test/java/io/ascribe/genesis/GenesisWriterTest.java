package io.ascribe.genesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.Genesis.Allocation;
import io.ascribe.genesis.Genesis.GenesisValidator;
import io.ascribe.genesis.ProtocolParams.FeeSplit;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenesisWriterTest {
  private static final Address A = Address.fromHex("0x0000000000000000000000000000000000000001");
  private static final Address B = Address.fromHex("0x0000000000000000000000000000000000000002");

  /** A small genesis with awkward values: fractional amounts, sub-second time, two validators. */
  private static final Genesis SMALL =
      new Genesis(
          7,
          Instant.parse("2030-06-15T12:34:56.789Z"),
          List.of(
              new GenesisValidator(A, new BigInteger("1500000000000000000000")),
              new GenesisValidator(B, new BigInteger("1000000000000000000000"))),
          List.of(new Allocation(B, new BigInteger("1")), new Allocation(A, BigInteger.ZERO)),
          new ProtocolParams(
              250,
              10,
              3,
              new BigInteger("1000000000000000000000"),
              new BigInteger("123"),
              500,
              new FeeSplit(0, 10_000),
              5,
              DevnetGenesis.ai()));

  private static final Genesis.Bridge BRIDGE =
      new Genesis.Bridge(31337, Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3"), 12);

  @Test
  void jsonRoundTripsExactly() {
    assertThat(GenesisLoader.parse(GenesisWriter.toJson(SMALL))).isEqualTo(SMALL);
    Genesis devnet = DevnetGenesis.create();
    assertThat(GenesisLoader.parse(GenesisWriter.toJson(devnet))).isEqualTo(devnet);
    Genesis bridged = SMALL.withBridge(BRIDGE);
    assertThat(GenesisLoader.parse(GenesisWriter.toJson(bridged))).isEqualTo(bridged);
  }

  @Test
  void theBridgeSectionIsWrittenOnlyWhenTheChainHasABridge() {
    assertThat(GenesisWriter.toJson(SMALL)).doesNotContain("bridge");
    assertThat(GenesisWriter.toCanonicalJson(SMALL.withBridge(BRIDGE)))
        .startsWith(
            "{\"allocations\":[{\"address\":\"0x0000000000000000000000000000000000000002\","
                + "\"balance\":\"0.000000000000000001\"},"
                + "{\"address\":\"0x0000000000000000000000000000000000000001\",\"balance\":\"0\"}],"
                + "\"bridge\":{\"address\":\"0x5FbDB2315678afecb367f032d93F642f64180aa3\","
                + "\"confirmations\":12,\"evmChainId\":31337},\"chainId\":7,");
  }

  @Test
  void writtenFileLoadsBack(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("genesis.json");
    GenesisWriter.write(SMALL, file);
    assertThat(GenesisLoader.load(file)).isEqualTo(SMALL);
  }

  @Test
  void canonicalJsonHasSortedKeysAndNoWhitespace() {
    assertThat(GenesisWriter.toCanonicalJson(SMALL))
        .isEqualTo(
            "{\"allocations\":[{\"address\":\"0x0000000000000000000000000000000000000002\","
                + "\"balance\":\"0.000000000000000001\"},"
                + "{\"address\":\"0x0000000000000000000000000000000000000001\",\"balance\":\"0\"}],"
                + "\"chainId\":7,\"genesisTime\":\"2030-06-15T12:34:56.789Z\","
                + "\"params\":{\"ai\":{\"inference\":{\"challengeWindowBlocks\":100,"
                + "\"fraudSlashBps\":5000,\"minRequestFee\":\"0.01\",\"scoreSumToleranceBps\":100},"
                + "\"jobs\":{\"executorBond\":\"1000\",\"fraudSlashBps\":5000,"
                + "\"maxDeadlineBlocks\":10000,\"minJobFee\":\"1\",\"missedDeadlineSlashBps\":1000,"
                + "\"verifiers\":0,\"verifyWindowBlocks\":100},\"slashing\":{\"doubleSignSlashBps\":500,"
                + "\"evidenceMaxAgeBlocks\":1000},\"workFeeSplit\":{\"burnBps\":1000,"
                + "\"contributorsBps\":4000,\"executorBps\":1500,\"fineTunerBps\":1500,"
                + "\"validatorsBps\":1000,\"verifiersBps\":1000}},"
                + "\"blockTimeMs\":250,\"bondLockBlocks\":5,\"epochLength\":10,"
                + "\"feeSplit\":{\"burnBps\":0,\"validatorsBps\":10000},\"maxBlockTxs\":500,"
                + "\"minFee\":\"0.000000000000000123\",\"minValidatorStake\":\"1000\","
                + "\"validatorSetDelay\":3},"
                + "\"validators\":[{\"address\":\"0x0000000000000000000000000000000000000001\","
                + "\"stake\":\"1500\"},"
                + "{\"address\":\"0x0000000000000000000000000000000000000002\",\"stake\":\"1000\"}]}");
  }

  /**
   * Pinned: every devnet node, of any version, must compute this hash from the built-in genesis. If
   * this test fails, the canonical encoding or the devnet genesis changed, and with it the chain;
   * that has to be a deliberate decision.
   */
  @Test
  void devnetHashIsStable() {
    assertThat(GenesisWriter.hash(DevnetGenesis.create()))
        .isEqualTo(
            Hash.fromHex("0x81982e8b5ec6baa6ebd8a5506b7c902533776b612e45c1a1bdf1333d28c5884c"));
  }

  @Test
  void hashIgnoresHowTheFileIsFormatted() {
    String reordered =
        """
        {"params": {"feeSplit": {"validatorsBps": 10000, "burnBps": 0}, "maxBlockTxs": 500,
                    "minFee": "0.000000000000000123", "minValidatorStake": "1000.000",
                    "validatorSetDelay": 3, "epochLength": 10, "blockTimeMs": 250,
                    "bondLockBlocks": 5,
                    "ai": {"slashing": {"evidenceMaxAgeBlocks": 1000, "doubleSignSlashBps": 500},
                           "workFeeSplit": {"verifiersBps": 1000, "validatorsBps": 1000,
                                            "fineTunerBps": 1500, "executorBps": 1500,
                                            "contributorsBps": 4000, "burnBps": 1000},
                           "jobs": {"verifiers": 0, "missedDeadlineSlashBps": 1000,
                                    "minJobFee": "1.0", "maxDeadlineBlocks": 10000,
                                    "fraudSlashBps": 5000, "executorBond": "1e3",
                                    "verifyWindowBlocks": 100},
                           "inference": {"scoreSumToleranceBps": 100, "minRequestFee": "0.010",
                                         "fraudSlashBps": 5000, "challengeWindowBlocks": 100}}},
         "validators": [{"stake": "1500.0", "address": "0x0000000000000000000000000000000000000001"},
                        {"stake": "1e3", "address": "0x0000000000000000000000000000000000000002"}],
         "allocations": [{"balance": "0.000000000000000001",
                          "address": "0x0000000000000000000000000000000000000002"},
                         {"balance": "0", "address": "0x0000000000000000000000000000000000000001"}],
         "genesisTime": "2030-06-15T14:34:56.789+02:00", "chainId": 7}
        """;
    assertThat(GenesisWriter.hash(GenesisLoader.parse(reordered)))
        .isEqualTo(GenesisWriter.hash(SMALL));
  }

  @Test
  void hashChangesWithEveryField() {
    ProtocolParams p = SMALL.params();
    List<Genesis> variants =
        List.of(
            SMALL,
            new Genesis(8, SMALL.genesisTime(), SMALL.validators(), SMALL.allocations(), p),
            new Genesis(
                7, SMALL.genesisTime().plusMillis(1), SMALL.validators(), SMALL.allocations(), p),
            withValidators(SMALL.validators().reversed()),
            withValidators(
                List.of(
                    SMALL.validators().get(0),
                    new GenesisValidator(B, new BigInteger("1000000000000000000001")))),
            withValidators(List.of(SMALL.validators().get(0))),
            withAllocations(SMALL.allocations().reversed()),
            withAllocations(List.of(SMALL.allocations().get(0), new Allocation(A, BigInteger.TWO))),
            withAllocations(List.of(SMALL.allocations().get(0))),
            withParams(
                new ProtocolParams(
                    251,
                    p.epochLength(),
                    p.validatorSetDelay(),
                    p.minValidatorStake(),
                    p.minFee(),
                    p.maxBlockTxs(),
                    p.feeSplit(),
                    p.bondLockBlocks(),
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    11,
                    p.validatorSetDelay(),
                    p.minValidatorStake(),
                    p.minFee(),
                    p.maxBlockTxs(),
                    p.feeSplit(),
                    p.bondLockBlocks(),
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    p.epochLength(),
                    4,
                    p.minValidatorStake(),
                    p.minFee(),
                    p.maxBlockTxs(),
                    p.feeSplit(),
                    p.bondLockBlocks(),
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    p.epochLength(),
                    p.validatorSetDelay(),
                    p.minValidatorStake().subtract(BigInteger.ONE),
                    p.minFee(),
                    p.maxBlockTxs(),
                    p.feeSplit(),
                    p.bondLockBlocks(),
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    p.epochLength(),
                    p.validatorSetDelay(),
                    p.minValidatorStake(),
                    p.minFee().add(BigInteger.ONE),
                    p.maxBlockTxs(),
                    p.feeSplit(),
                    p.bondLockBlocks(),
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    p.epochLength(),
                    p.validatorSetDelay(),
                    p.minValidatorStake(),
                    p.minFee(),
                    501,
                    p.feeSplit(),
                    p.bondLockBlocks(),
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    p.epochLength(),
                    p.validatorSetDelay(),
                    p.minValidatorStake(),
                    p.minFee(),
                    p.maxBlockTxs(),
                    new FeeSplit(1, 9_999),
                    p.bondLockBlocks(),
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    p.epochLength(),
                    p.validatorSetDelay(),
                    p.minValidatorStake(),
                    p.minFee(),
                    p.maxBlockTxs(),
                    p.feeSplit(),
                    6,
                    p.ai())),
            withParams(
                new ProtocolParams(
                    p.blockTimeMs(),
                    p.epochLength(),
                    p.validatorSetDelay(),
                    p.minValidatorStake(),
                    p.minFee(),
                    p.maxBlockTxs(),
                    p.feeSplit(),
                    p.bondLockBlocks(),
                    new AiParams(
                        p.ai().workFeeSplit(),
                        p.ai().jobs(),
                        p.ai().inference(),
                        new AiParams.Slashing(501, 1_000)))),
            withParams(p.withUnbondingBlocks(1_001)),
            SMALL.withBridge(BRIDGE),
            SMALL.withBridge(new Genesis.Bridge(1, BRIDGE.address(), BRIDGE.confirmations())),
            SMALL.withBridge(new Genesis.Bridge(BRIDGE.evmChainId(), A, BRIDGE.confirmations())),
            SMALL.withBridge(new Genesis.Bridge(BRIDGE.evmChainId(), BRIDGE.address(), 13)));
    Set<Hash> hashes = new HashSet<>();
    for (Genesis variant : variants) {
      hashes.add(GenesisWriter.hash(variant));
    }
    assertThat(hashes).hasSameSizeAs(variants);
  }

  @Test
  void refusesToWriteAGenesisThatWouldNotLoad() {
    Genesis noValidators =
        new Genesis(7, SMALL.genesisTime(), List.of(), SMALL.allocations(), SMALL.params());
    assertThatThrownBy(() -> GenesisWriter.toJson(noValidators))
        .isInstanceOfSatisfying(
            InvalidGenesisException.class, e -> assertThat(e.field()).isEqualTo("validators"));
    assertThatThrownBy(() -> GenesisWriter.hash(noValidators))
        .isInstanceOf(InvalidGenesisException.class);
  }

  private static Genesis withValidators(List<GenesisValidator> validators) {
    return new Genesis(
        SMALL.chainId(), SMALL.genesisTime(), validators, SMALL.allocations(), SMALL.params());
  }

  private static Genesis withAllocations(List<Allocation> allocations) {
    return new Genesis(
        SMALL.chainId(), SMALL.genesisTime(), SMALL.validators(), allocations, SMALL.params());
  }

  private static Genesis withParams(ProtocolParams params) {
    return new Genesis(
        SMALL.chainId(), SMALL.genesisTime(), SMALL.validators(), SMALL.allocations(), params);
  }
}
