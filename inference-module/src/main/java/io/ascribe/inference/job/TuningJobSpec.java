package io.ascribe.inference.job;

import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.TrainConfig;
import io.ascribe.inference.tuning.TuningMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Everything a tuning job's result depends on: the base model, the method and its size ({@code
 * rank} is the LoRA rank, or the number of virtual tokens for {@link Method#PTUNING}; {@code rank}
 * and {@code alpha} are ignored for {@link Method#FULL}), AdamW's learning rate (constant), the
 * number of epochs over the training documents in batches of {@code batchSize}, the seed (adapter
 * initialisation, batch order, PyTorch's generator) and the training and evaluation documents. LoRA
 * adapts {@link #LORA_TARGETS} of every layer, without dropout (so a verifier's gradients are the
 * trainer's). The same spec on the same CPU gives the same adapter bytes.
 */
public record TuningJobSpec(
    Path baseModelDir,
    Method method,
    int rank,
    int alpha,
    double learningRate,
    int epochs,
    int batchSize,
    long seed,
    List<JobDocument> train,
    List<JobDocument> eval) {

  /** The projections LoRA and QLoRA adapt in every layer: attention's query and value. */
  public static final List<String> LORA_TARGETS = List.of("q_proj", "v_proj");

  /** How the base is tuned. */
  public enum Method {
    /** LoRA on the float32 base. */
    LORA,
    /** QLoRA: LoRA over the base quantised to NF4. */
    QLORA_NF4,
    /** P-tuning v2 / prefix tuning with {@code rank} virtual tokens per layer. */
    PTUNING,
    /** Every weight of the base is trained. */
    FULL
  }

  public TuningJobSpec {
    if (baseModelDir == null) {
      throw new IllegalArgumentException("a tuning job needs its base model directory");
    }
    if (method == null) {
      throw new IllegalArgumentException(
          "a tuning job needs a method (" + List.of(Method.values()) + ")");
    }
    if (method != Method.FULL && rank <= 0) {
      throw new IllegalArgumentException(
          method == Method.PTUNING
              ? "P-tuning needs at least one virtual token (rank), got " + rank
              : method + " needs a rank > 0, got " + rank);
    }
    if ((method == Method.LORA || method == Method.QLORA_NF4) && alpha <= 0) {
      throw new IllegalArgumentException(method + " needs alpha > 0, got " + alpha);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    if (epochs <= 0) {
      throw new IllegalArgumentException("epochs must be positive, got " + epochs);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    train = List.copyOf(train == null ? List.of() : train);
    eval = List.copyOf(eval == null ? List.of() : eval);
    if (train.isEmpty()) {
      throw new IllegalArgumentException(
          "the training set is empty: a job needs documents to train on");
    }
    if (eval.isEmpty()) {
      throw new IllegalArgumentException(
          "the evaluation set is empty: eval loss, ROUGE-L and influence need documents");
    }
    unique("training", train);
    unique("evaluation", eval);
  }

  private static void unique(String set, List<JobDocument> docs) {
    Set<String> seen = new HashSet<>();
    for (JobDocument d : docs) {
      if (!seen.add(d.id())) {
        throw new IllegalArgumentException(
            "document "
                + d.id()
                + " appears twice in the "
                + set
                + " set; ids key the influence scores");
      }
    }
  }

  /** Optimiser steps of the run: {@code epochs} × ⌈training documents / batch size⌉. */
  public int totalSteps() {
    return Math.multiplyExact(epochs, (train.size() + batchSize - 1) / batchSize);
  }

  /** The trainer's configuration: AdamW(0.9, 0.999, 1e-8), no decay, clip at 1, constant lr. */
  public TrainConfig trainConfig() {
    return TrainConfig.lora(learningRate, totalSteps(), Math.min(batchSize, train.size()), seed);
  }

  /** The method as the trainer applies it. */
  public TuningMethod tuningMethod() {
    return adapterShape().tuningMethod();
  }

  /** What the adapter this job trains looks like. */
  public AdapterShape adapterShape() {
    return new AdapterShape(method, rank, alpha, seed);
  }

  public List<Example> trainExamples() {
    return train.stream().map(JobDocument::example).toList();
  }

  public List<Example> evalExamples() {
    return eval.stream().map(JobDocument::example).toList();
  }

  /**
   * SHA-256 (hex) over every field but the base directory's path, documents included, each
   * length-prefixed: a checkpoint records it so only the same job resumes from it.
   */
  public String fingerprint() {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    add(sha, method.name());
    add(sha, Integer.toString(method == Method.FULL ? 0 : rank));
    add(sha, Integer.toString(method == Method.FULL || method == Method.PTUNING ? 0 : alpha));
    add(sha, Double.toString(learningRate));
    add(sha, Integer.toString(epochs));
    add(sha, Integer.toString(batchSize));
    add(sha, Long.toString(seed));
    for (List<JobDocument> set : List.of(train, eval)) {
      add(sha, Integer.toString(set.size()));
      for (JobDocument d : set) {
        add(sha, d.id());
        add(sha, d.example().prompt());
        add(sha, d.example().response());
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void add(MessageDigest sha, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    sha.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).flip());
    sha.update(b);
  }
}
