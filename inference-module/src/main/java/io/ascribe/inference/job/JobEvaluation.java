package io.ascribe.inference.job;

import ai.djl.ndarray.NDManager;
import io.ascribe.inference.Generator;
import io.ascribe.inference.eval.Rouge;
import io.ascribe.inference.model.LlamaModel;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.Trainer;

/**
 * A tuned model's figures on a job's evaluation documents: the mean response-token NLL over all of
 * them (evaluated in batches of the job's batch size, weighted by tokens, so the figure does not
 * depend on the batching) and the mean ROUGE-L F1 of greedy generations against the responses. Each
 * generation may run to twice its reference's tokens plus {@value #SLACK}, at most {@value
 * #MAX_NEW_TOKENS}: enough to say the whole answer, bounded so a model that never emits EOS costs a
 * fixed amount. Both are functions of the spec and the adapter only, so a verifier gets the same.
 */
public record JobEvaluation(double evalLoss, double rougeL) {
  public static final int MAX_NEW_TOKENS = 128;
  static final int SLACK = 8;

  public static JobEvaluation of(
      LlamaModel model, Tokenizer tokenizer, TuningJobSpec spec, NDManager parent) {
    Trainer trainer = new Trainer(model, tokenizer);
    double loss = trainer.evaluate(spec.evalExamples(), spec.batchSize(), parent);
    Generator generator = new Generator(model, tokenizer);
    double rouge = 0;
    for (Example e : spec.evalExamples()) {
      int budget = Math.min(MAX_NEW_TOKENS, 2 * tokenizer.encode(e.response()).length + SLACK);
      String text = generator.generate(e.prompt(), Generator.Options.greedy(budget), parent).text();
      rouge += Rouge.score(e.response(), text).rougeL().fmeasure();
    }
    return new JobEvaluation(loss, rouge / spec.eval().size());
  }
}
