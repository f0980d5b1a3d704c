package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.TuningSpec;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSpecTest {
  private static final String MODEL = "0x" + "11".repeat(32);
  private static final String DATANET = "0x" + "22".repeat(32);

  private static String spec(String method, String hyperparameters, String rest) {
    return "{\"baseModel\": \""
        + MODEL
        + "\", \"datanet\": \""
        + DATANET
        + "\", \"method\": \""
        + method
        + "\", \"hyperparameters\": "
        + hyperparameters
        + ", "
        + rest
        + "}";
  }

  private static final String LORA =
      "{\"rank\": 8, \"alpha\": 16, \"learningRate\": \"0.0002\", \"epochs\": 2, \"batchSize\": 4}";
  private static final String REST =
      "\"seed\": 7, \"evalSplitBps\": 2000, \"fee\": \"2.5\", \"deadlineBlocks\": 600";

  @Test
  void aSpecAsUsersWriteItBecomesTheJobTheLedgerTakes(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("job.json"), spec("lora", LORA, REST));

    JobSpec spec = JobSpec.read(file);

    assertThat(spec.baseModel()).isEqualTo(Hash.fromHex(MODEL));
    assertThat(spec.datanet()).isEqualTo(Hash.fromHex(DATANET));
    assertThat(spec.method()).isEqualTo(TuningSpec.Method.LORA);
    assertThat(spec.hyperparameters())
        .isEqualTo(new TuningSpec.Hyperparameters(8, 16, 200_000, 2, 4));
    assertThat(spec.seed()).isEqualTo(7);
    assertThat(spec.evalSplitBps()).isEqualTo(2_000);
    assertThat(spec.fee()).isEqualTo(Amount.parseOpen("2.5"));
    assertThat(spec.deadlineBlocks()).isEqualTo(600);
    var tx = spec.toTx(700);
    assertThat(tx.getDeadline()).isEqualTo(700);
    assertThat(tx.getHyperparameters().getLearningRateE9()).isEqualTo(200_000);
  }

  @Test
  void numbersMayStandForDecimalsAndUnusedSettingsMayBeLeftOut() {
    JobSpec spec =
        JobSpec.parse(
            spec(
                "full",
                "{\"learningRate\": 1e-5, \"epochs\": 1, \"batchSize\": 8}",
                "\"seed\": 0, \"evalSplitBps\": 1, \"fee\": 3, \"deadlineBlocks\": 1"),
            "job.json");
    assertThat(spec.hyperparameters())
        .isEqualTo(new TuningSpec.Hyperparameters(0, 0, 10_000, 1, 8));
    assertThat(spec.fee()).isEqualTo(Amount.ONE_OPEN.multiply(BigInteger.valueOf(3)));
  }

  @Test
  void everyBadFieldIsReportedByItsPathInOneMessage() {
    String bad =
        "{\"baseModel\": \"0x1234\", \"datanet\": 5, \"method\": \"lora\","
            + " \"hyperparameters\": {\"alpha\": 0, \"learningRate\": \"0.0000000001\","
            + " \"epochs\": 2.5, \"batchSize\": 70000, \"dropout\": 0.1},"
            + " \"seed\": -1, \"evalSplitBps\": 6000, \"fee\": \"lots\", \"owner\": \"me\"}";

    assertThatThrownBy(() -> JobSpec.parse(bad, "job.json"))
        .isInstanceOf(UserErrorException.class)
        .hasMessageStartingWith("job.json has 13 problems, nothing was sent: ")
        .hasMessageContaining("owner: not a field of a job spec (the fields are baseModel,")
        .hasMessageContaining(
            "baseModel: must be a 32-byte id in 0x-prefixed hex (a hash is 32 bytes, got 2),"
                + " got \"0x1234\"")
        .hasMessageContaining("datanet: must be a 32-byte id in 0x-prefixed hex, got 5")
        .hasMessageContaining(
            "hyperparameters.dropout: not a field of the hyperparameters (the fields are rank,"
                + " alpha, learningRate, epochs, batchSize)")
        .hasMessageContaining(
            "hyperparameters.learningRate: \"0.0000000001\" has more than 9 decimals")
        .hasMessageContaining(
            "hyperparameters.epochs: must be a whole number from 0 to 2147483647, got 2.5")
        .hasMessageContaining("seed: must be a whole number from 0 to")
        .hasMessageContaining("fee: not a decimal OPEN amount: \"lots\"")
        .hasMessageContaining("deadlineBlocks: missing (a whole number)")
        .hasMessageContaining("hyperparameters.rank: missing (LoRA rank must be in [1, 4096])")
        .hasMessageContaining("hyperparameters.alpha: LoRA alpha must be in [1, 65536], got 0")
        .hasMessageContaining(
            "hyperparameters.batchSize: batch size must be in [1, 65536], got 70000")
        .hasMessageContaining(
            "evalSplitBps: evaluation split (basis points) must be in [1, 5000], got 6000");
  }

  @Test
  void rangesAreTheLedgersAndAMissingSettingIsNamedAsMissing() {
    String outOfRange =
        spec(
            "lora",
            "{\"alpha\": 16, \"learningRate\": \"0\", \"epochs\": 2, \"batchSize\": 70000}",
            "\"seed\": 1, \"evalSplitBps\": 6000, \"fee\": \"0\", \"deadlineBlocks\": 0");

    assertThatThrownBy(() -> JobSpec.parse(outOfRange, "job.json"))
        .hasMessageStartingWith("job.json has 6 problems, nothing was sent: ")
        .hasMessageContaining("hyperparameters.rank: missing (LoRA rank must be in [1, 4096])")
        .hasMessageContaining(
            "hyperparameters.learningRate: learning rate must be in [0.000000001, 1], got 0")
        .hasMessageContaining(
            "hyperparameters.batchSize: batch size must be in [1, 65536], got 70000")
        .hasMessageContaining(
            "evalSplitBps: evaluation split (basis points) must be in [1, 5000], got 6000")
        .hasMessageContaining("fee: must be more than 0 OPEN")
        .hasMessageContaining("deadlineBlocks: must be at least 1, got 0");
    assertThatThrownBy(
            () ->
                JobSpec.parse(
                    spec("dora", LORA, REST)
                        .replace("\"hyperparameters\": " + LORA, "\"hyperparameters\": []"),
                    "job.json"))
        .hasMessageContaining("method: must be one of lora, qlora, ptuning, full, got \"dora\"")
        .hasMessageContaining("hyperparameters: must be an object, got an array");
  }

  @Test
  void aFileThatIsNotJsonOrNotThereSaysWhere(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> JobSpec.parse("{\"seed\": 1,\n  \"fee\" \"1\"}", "job.json"))
        .hasMessageStartingWith("job.json is not JSON (line 2, column")
        .hasMessageEndingWith("; nothing was sent");
    assertThatThrownBy(() -> JobSpec.parse("[1, 2]", "job.json"))
        .hasMessageContaining("the spec must be a JSON object with the fields baseModel,");
    assertThatThrownBy(() -> JobSpec.parse("{\"seed\": 1, \"seed\": 2}", "job.json"))
        .hasMessageContaining("Duplicate field 'seed'");
    assertThatThrownBy(() -> JobSpec.read(dir.resolve("missing.json")))
        .hasMessage("there is no spec file " + dir.resolve("missing.json") + ": check --spec");
  }
}
