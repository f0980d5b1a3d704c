package io.ascribe.node.cli;

import io.ascribe.inference.Generator;
import io.ascribe.inference.data.JsonlDataset;
import io.ascribe.inference.eval.Perplexity;
import io.ascribe.inference.eval.Rouge;
import io.ascribe.inference.train.Example;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe eval}: ROUGE-1/2/L F of greedy generations against the responses of a JSONL file,
 * and the perplexity of those responses given their prompts.
 */
@Command(
    name = "eval",
    description =
        "Score a model (and optionally an adapter) on JSONL prompt/response pairs: ROUGE-1/2/L F"
            + " of greedy generations, and perplexity of the responses.")
final class EvalCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--base", paramLabel = "DIR", required = true, description = "Model directory.")
  Path base;

  @Option(
      names = "--adapter",
      paramLabel = "DIR",
      description = "Adapter written by ascribe tune for this base.")
  Path adapter;

  @Option(
      names = "--data",
      paramLabel = "FILE",
      required = true,
      description = "JSON Lines, one {\"prompt\": ..., \"response\": ...} per line.")
  Path data;

  @Option(
      names = "--max-tokens",
      defaultValue = "64",
      description = "Most tokens generated per prompt for ROUGE (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Override
  public void run() {
    if (maxTokens < 1) {
      throw new UserErrorException("--max-tokens must be at least 1, got " + maxTokens);
    }
    JsonlDataset dataset = JsonlDataset.read(data);
    try (LoadedModel m = LoadedModel.withAdapter(base, adapter)) {
      dataset.checkFits(m.tokenizer, m.context());
      List<Example> examples = dataset.examples();
      Generator generator = new Generator(m.model, m.tokenizer);
      double r1 = 0;
      double r2 = 0;
      double rl = 0;
      for (Example e : examples) {
        String generated =
            generator.generate(e.prompt(), Generator.Options.greedy(maxTokens), m.manager).text();
        Rouge.Scores s = Rouge.score(e.response(), generated);
        r1 += s.rouge1().fmeasure();
        r2 += s.rouge2().fmeasure();
        rl += s.rougeL().fmeasure();
      }
      double ppl = Perplexity.ofResponses(m.model, m.tokenizer, examples, m.manager);
      int n = examples.size();
      PrintWriter w = spec.commandLine().getOut();
      w.printf("examples    %d%n", n);
      w.printf("ROUGE-1 F   %.4f%n", r1 / n);
      w.printf("ROUGE-2 F   %.4f%n", r2 / n);
      w.printf("ROUGE-L F   %.4f%n", rl / n);
      w.printf("perplexity  %.4f%n", ppl);
      w.flush();
    }
  }
}
