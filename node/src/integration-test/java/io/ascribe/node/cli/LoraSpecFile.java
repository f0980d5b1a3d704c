package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A LoRA job's spec file as a user writes it for {@code ascribe job submit --spec} (rank 8, alpha
 * 16, seed 7, a fifth held out for evaluation), with the settings the CLI tests vary.
 */
record LoraSpecFile(
    Hash model,
    Hash datanet,
    String learningRate,
    int epochs,
    int batchSize,
    String fee,
    long deadlineBlocks) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes the spec to {@code file} and returns it. */
  Path write(Path file) throws IOException {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("baseModel", model.toHex());
    spec.put("datanet", datanet.toHex());
    spec.put("method", "lora");
    spec.putObject("hyperparameters")
        .put("rank", 8)
        .put("alpha", 16)
        .put("learningRate", learningRate)
        .put("epochs", epochs)
        .put("batchSize", batchSize);
    spec.put("seed", 7);
    spec.put("evalSplitBps", 2000);
    spec.put("fee", fee);
    spec.put("deadlineBlocks", deadlineBlocks);
    return Files.writeString(file, spec.toPrettyString());
  }
}
