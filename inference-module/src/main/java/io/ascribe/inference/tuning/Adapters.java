package io.ascribe.inference.tuning;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.inference.lora.LoraAdapter;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.ModelHash;
import io.ascribe.inference.model.Trainable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Adapters on disk, whichever method made them: a LoRA/QLoRA adapter or a prefix, told apart by the
 * {@code peft_type} of their {@code adapter_config.json}.
 */
public final class Adapters {
  private Adapters() {}

  /** Writes what {@code trained} holds as an adapter into {@code dir} (LoRA or prefix). */
  public static void save(Trainable trained, Path dir) throws IOException {
    switch (trained) {
      case LoraAdapter lora -> lora.save(dir);
      case PrefixAdapter prefix -> prefix.save(dir);
      default ->
          throw new IllegalArgumentException(
              "only an adapter is saved alone; full fine-tuning saves the whole model");
    }
  }

  /**
   * Whether the adapter in {@code dir} was trained on an NF4 base (QLoRA), so that its base can be
   * loaded as NF4 directly ({@link LlamaModel#load(Path, NDManager, boolean)}); false when it was
   * not, and when its config is missing or unreadable, which {@link #load} then reports.
   */
  public static boolean needsNf4Base(Path dir) {
    Path cfgFile = dir.resolve(LoraAdapter.CONFIG_FILE);
    try {
      JsonNode json = new ObjectMapper().readTree(cfgFile.toFile());
      return "LORA".equals(json.path("peft_type").asText())
          && ModelHash.trainedOnNf4(cfgFile, json);
    } catch (IOException | ModelException e) {
      return false;
    }
  }

  /**
   * Loads the adapter in {@code dir} onto {@code base} and attaches it; close it to detach. A LoRA
   * adapter trained on an NF4 base (QLoRA) quantises {@code base} first, so it sees the weights it
   * was trained against.
   *
   * @throws ModelException when {@code dir} holds no adapter (naming what it holds instead), an
   *     adapter of an unknown type, or one for another base
   */
  public static Trainable load(Path dir, LlamaModel base) throws IOException {
    Path cfgFile = dir.resolve(LoraAdapter.CONFIG_FILE);
    if (!Files.exists(cfgFile)) {
      if (Files.exists(dir.resolve(LlamaModel.CONFIG_FILE))) {
        throw new ModelException(
            dir + " holds a whole model (full fine-tuning), not an adapter; pass it as the base");
      }
      throw new ModelException(dir + ": no " + LoraAdapter.CONFIG_FILE + ", so not an adapter");
    }
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(cfgFile.toFile());
    } catch (JsonProcessingException e) {
      throw new ModelException(cfgFile + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    String type = json.path("peft_type").asText();
    switch (type) {
      case "LORA" -> {
        // Compare the hash before quantising: the check needs no weights, quantising is slow.
        ModelHash.checkBase(cfgFile, json, base);
        boolean nf4 = ModelHash.trainedOnNf4(cfgFile, json);
        if (nf4 && !base.isQuantized()) {
          base.quantizeNf4();
        } else if (!nf4 && base.isQuantized()) {
          throw new ModelException(
              dir
                  + " was trained on a float32 base, but this base is held in NF4; load the base"
                  + " without quantising it");
        }
        LoraAdapter lora = LoraAdapter.load(dir, base);
        base.attach(lora);
        return lora;
      }
      case PrefixAdapter.PEFT_TYPE -> {
        PrefixAdapter prefix = PrefixAdapter.load(dir, base);
        base.attach(prefix);
        return prefix;
      }
      default ->
          throw new ModelException(
              cfgFile
                  + ": peft_type '"
                  + type
                  + "' is not one this program runs (LORA, "
                  + PrefixAdapter.PEFT_TYPE
                  + ")");
    }
  }
}
