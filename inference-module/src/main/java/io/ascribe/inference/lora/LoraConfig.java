package io.ascribe.inference.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.model.ModelException;
import java.util.ArrayList;
import java.util.List;

/**
 * A LoRA adapter's hyper-parameters: rank r, alpha (the update is scaled by alpha / r), dropout on
 * the adapter's input during training, and the projections it adapts ({@code q_proj}, {@code
 * v_proj}, ...). Serialised as PEFT's {@code adapter_config.json}.
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targetModules) {
  public LoraConfig {
    if (rank <= 0) {
      throw new ModelException("LoRA rank must be positive, got " + rank);
    }
    if (!(alpha > 0)) {
      throw new ModelException("LoRA alpha must be positive, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new ModelException("LoRA dropout must be in [0, 1), got " + dropout);
    }
    targetModules = List.copyOf(targetModules);
    if (targetModules.isEmpty()) {
      throw new ModelException("LoRA needs at least one target module");
    }
    for (String t : targetModules) {
      if (!LlamaModel.PROJECTIONS.contains(t)) {
        throw new ModelException("LoRA target '" + t + "' is not one of " + LlamaModel.PROJECTIONS);
      }
    }
  }

  public double scale() {
    return alpha / rank;
  }

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("peft_type", "LORA");
    o.put("task_type", "CAUSAL_LM");
    o.put("r", rank);
    o.put("lora_alpha", alpha);
    o.put("lora_dropout", dropout);
    o.put("bias", "none");
    targetModules.forEach(o.putArray("target_modules")::add);
    return o;
  }

  public static LoraConfig fromJson(JsonNode o) {
    if (!"LORA".equals(o.path("peft_type").asText())) {
      throw new ModelException("adapter_config.json: peft_type is not LORA");
    }
    if (!o.path("r").isIntegralNumber() || !o.path("lora_alpha").isNumber()) {
      throw new ModelException("adapter_config.json: r and lora_alpha must be numbers");
    }
    List<String> targets = new ArrayList<>();
    o.path("target_modules").forEach(n -> targets.add(n.asText()));
    return new LoraConfig(
        o.path("r").intValue(),
        o.path("lora_alpha").doubleValue(),
        o.path("lora_dropout").asDouble(0),
        targets);
  }
}
