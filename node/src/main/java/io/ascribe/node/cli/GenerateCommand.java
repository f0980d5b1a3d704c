package io.ascribe.node.cli;

import io.ascribe.inference.Generator;
import io.ascribe.inference.Sampling;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe generate}: continue a prompt with a base model and, optionally, an adapter. */
@Command(
    name = "generate",
    description = "Generate text after a prompt with a model (and optionally an adapter).")
final class GenerateCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--base", paramLabel = "DIR", required = true, description = "Model directory.")
  Path base;

  @Option(
      names = "--adapter",
      paramLabel = "DIR",
      description = "Adapter written by ascribe tune for this base.")
  Path adapter;

  @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "The prompt.")
  String prompt;

  @Option(
      names = "--max-tokens",
      defaultValue = "64",
      description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--temperature",
      defaultValue = "0",
      description = "0 for greedy decoding, else the sampling temperature (default: 0).")
  double temperature;

  @Option(
      names = "--top-k",
      defaultValue = "0",
      description = "Sample among the K most likely tokens, 0 for all (default: 0).")
  int topK;

  @Option(
      names = "--top-p",
      defaultValue = "1",
      description = "Sample from the smallest set of tokens with this probability (default: 1).")
  double topP;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the sampling draws (default: 0).")
  long seed;

  @Override
  public void run() {
    Sampling sampling = sampling(temperature, topK, topP, seed);
    if (maxTokens < 1) {
      throw new UserErrorException("--max-tokens must be at least 1, got " + maxTokens);
    }
    try (LoadedModel m = LoadedModel.withAdapter(base, adapter)) {
      int length = m.tokenizer.encode(prompt).length;
      if (1 + length >= m.context()) {
        throw new UserErrorException(
            "the prompt is "
                + length
                + " tokens, longer than the model's context of "
                + m.context()
                + " allows (BOS and at least one new token); shorten it");
      }
      Generator.Result r =
          new Generator(m.model, m.tokenizer)
              .generate(
                  prompt, new Generator.Options(maxTokens, sampling, List.of(), true), m.manager);
      PrintWriter w = spec.commandLine().getOut();
      w.println(r.text());
      w.flush();
    }
  }

  /** Greedy for temperature 0, else seeded temperature / top-k / top-p sampling. */
  static Sampling sampling(double temperature, int topK, double topP, long seed) {
    if (!(temperature >= 0)) {
      throw new UserErrorException("--temperature must be 0 (greedy) or more, got " + temperature);
    }
    if (topK < 0) {
      throw new UserErrorException("--top-k must be 0 (all) or more, got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new UserErrorException("--top-p must be in (0, 1], got " + topP);
    }
    return temperature == 0
        ? new Sampling.Greedy()
        : new Sampling.Sampled(temperature, topK, topP, seed);
  }
}
