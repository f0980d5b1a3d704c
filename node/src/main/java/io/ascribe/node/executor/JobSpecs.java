package io.ascribe.node.executor;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.ai.DataRecord;
import io.ascribe.core.types.Hash;
import io.ascribe.inference.job.AdapterShape;
import io.ascribe.inference.job.JobDocument;
import io.ascribe.inference.job.TuningJobSpec;
import io.ascribe.inference.train.Example;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.TuningJob;
import io.ascribe.ledger.ai.TuningSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a job on chain into what the inference module runs: its contributions' records fetched by
 * hash and read as examples (a prompt with its response, or a text as a response to an empty
 * prompt), and the job's method and hyperparameters. The executor and its verifiers build the same
 * spec from the same chain, which is what lets a verifier re-run the evaluation.
 */
public final class JobSpecs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobSpecs() {}

  /** Fetches and reads {@code contributions}' records. */
  static List<JobDocument> documents(
      List<Contribution> contributions, ContentSource content, Duration timeout) {
    List<byte[]> bytes =
        content.fetchAll(contributions.stream().map(Contribution::contentHash).toList(), timeout);
    List<JobDocument> documents = new ArrayList<>();
    for (int i = 0; i < contributions.size(); i++) {
      Contribution c = contributions.get(i);
      documents.add(new JobDocument(c.id().toHex(), example(c, bytes.get(i))));
    }
    return documents;
  }

  private static Example example(Contribution c, byte[] bytes) {
    DataRecord record;
    try {
      record = DataRecord.fromJson(JSON.readTree(bytes));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "contribution " + c.id() + "'s content is not a data record: " + e.getMessage(), e);
    }
    return switch (record) {
      case DataRecord.PromptResponse pr -> new Example(pr.prompt(), pr.response());
      case DataRecord.Text t -> new Example("", t.text());
    };
  }

  static TuningJobSpec spec(
      TuningJob job, Path baseModel, List<JobDocument> train, List<JobDocument> eval) {
    TuningSpec.Hyperparameters h = job.spec().hyperparameters();
    return new TuningJobSpec(
        baseModel,
        method(job.spec().method()),
        h.rank(),
        h.alpha(),
        h.learningRateE9() / 1e9,
        h.epochs(),
        h.batchSize(),
        job.spec().seed(),
        train,
        eval);
  }

  /** What the adapter {@code job} trains looks like: enough to load it without its documents. */
  public static AdapterShape shape(TuningJob job) {
    TuningSpec.Hyperparameters h = job.spec().hyperparameters();
    return new AdapterShape(method(job.spec().method()), h.rank(), h.alpha(), job.spec().seed());
  }

  private static TuningJobSpec.Method method(TuningSpec.Method m) {
    return switch (m) {
      case LORA -> TuningJobSpec.Method.LORA;
      case QLORA_NF4 -> TuningJobSpec.Method.QLORA_NF4;
      case PTUNING -> TuningJobSpec.Method.PTUNING;
      case FULL -> TuningJobSpec.Method.FULL;
    };
  }

  /** A figure as the chain keeps it: times 10^9, rounded toward zero, clamped to a long. */
  static long e9(double value) {
    if (Double.isNaN(value)) {
      throw new IllegalStateException("a figure is NaN: the run diverged");
    }
    double scaled = value * 1e9;
    if (scaled >= Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    if (scaled <= Long.MIN_VALUE) {
      return Long.MIN_VALUE;
    }
    return (long) scaled;
  }

  /** A nonnegative figure as the chain keeps it (losses, ROUGE). */
  static long unsignedE9(double value) {
    return Math.max(0, e9(value));
  }

  static Hash contribution(String documentId) {
    return Hash.fromHex(documentId);
  }
}
