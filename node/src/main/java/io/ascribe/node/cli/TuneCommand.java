package io.ascribe.node.cli;

import io.ascribe.inference.data.JsonlDataset;
import io.ascribe.inference.lora.LoraConfig;
import io.ascribe.inference.model.ModelException;
import io.ascribe.inference.model.Trainable;
import io.ascribe.inference.tokenizer.HfTokenizer;
import io.ascribe.inference.train.Example;
import io.ascribe.inference.train.TrainConfig;
import io.ascribe.inference.train.Trainer;
import io.ascribe.inference.tuning.Adapters;
import io.ascribe.inference.tuning.TuningMethod;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe tune}: fine-tunes a base model on a JSONL file of prompt/response pairs and writes
 * the adapter (or, for full fine-tuning, the whole model) into {@code --out}. A checkpoint is kept
 * in {@code OUT/checkpoint}: Ctrl-C stops at the next step boundary after writing it, and running
 * the same command again resumes from it.
 */
@Command(
    name = "tune",
    description =
        "Fine-tune a model on JSONL prompt/response pairs (LoRA, QLoRA, P-tuning or full) and"
            + " write the adapter or weights.")
final class TuneCommand implements Runnable {
  static final String CHECKPOINT_DIR = "checkpoint";
  private static final List<String> METHODS = List.of("lora", "qlora", "ptuning", "full");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--base",
      paramLabel = "DIR",
      required = true,
      description = "Model directory (config.json, model.safetensors, tokenizer.json if any).")
  Path base;

  @Option(
      names = "--data",
      paramLabel = "FILE",
      required = true,
      description = "JSON Lines, one {\"prompt\": ..., \"response\": ...} per line.")
  Path data;

  @Option(
      names = "--method",
      required = true,
      description = "lora, qlora (LoRA over an NF4 base), ptuning (prefix tuning) or full.")
  String method;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "Where the adapter (or full weights) and the checkpoint go.")
  Path out;

  @Option(
      names = "--rank",
      defaultValue = "8",
      description = "LoRA rank (default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(
      names = "--alpha",
      defaultValue = "16",
      description = "LoRA alpha; updates are scaled by alpha/rank (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(
      names = "--targets",
      split = ",",
      defaultValue = "q_proj,v_proj",
      description = "Projections LoRA adapts (default: ${DEFAULT-VALUE}).")
  List<String> targets;

  @Option(
      names = "--prefix-length",
      defaultValue = "16",
      description = "Prefix positions per layer for ptuning (default: ${DEFAULT-VALUE}).")
  int prefixLength;

  @Option(
      names = "--lr",
      description =
          "Peak learning rate (default: 2e-4 for lora and qlora, 1e-2 for ptuning, 2e-5 for"
              + " full).")
  Double lr;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      description = "Passes over the data (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--batch",
      defaultValue = "4",
      description = "Examples per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the adapter's initialisation and the batch order (default: 0).")
  long seed;

  @Option(
      names = "--recompute-layers",
      negatable = true,
      description =
          "Recompute each layer's activations in the backward pass instead of keeping them:"
              + " less memory for about a third more time per step (default: on for qlora, off"
              + " otherwise).")
  Boolean recomputeLayers;

  @Option(
      names = "--log-every",
      paramLabel = "STEPS",
      defaultValue = "10",
      description = "Print a progress line every STEPS steps (default: ${DEFAULT-VALUE}).")
  int logEvery;

  @Option(
      names = "--checkpoint-every",
      paramLabel = "STEPS",
      defaultValue = "50",
      description = "Refresh the checkpoint every STEPS steps (default: ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Override
  public void run() {
    TuningMethod tuning = validate();
    JsonlDataset dataset = JsonlDataset.read(data);
    PrintWriter w = spec.commandLine().getOut();
    try (LoadedModel m = LoadedModel.open(base, tuning.quantizesBase())) {
      dataset.checkFits(m.tokenizer, m.context());
      List<Example> examples = dataset.examples();
      int steps =
          (int) Math.min(Integer.MAX_VALUE, ceilDiv((long) epochs * examples.size(), batch));
      double rate = lr != null ? lr : defaultLr();
      TrainConfig config = TrainConfig.lora(rate, steps, batch, seed);
      Path checkpoint = out.resolve(CHECKPOINT_DIR);
      OptionalInt resumeAt = checkpointStep(checkpoint);
      w.printf(
          "tuning %s with %s: %d examples, %d epoch(s) of batch %d = %d steps, lr %.2e, seed %d%n",
          base, method, examples.size(), epochs, batch, steps, rate, seed);
      w.flush();
      Trainer trainer = new Trainer(m.model, m.tokenizer);
      trainer.setRecomputeLayers(
          recomputeLayers != null ? recomputeLayers : tuning.recomputesLayers());
      Trainable trainable = tuning.applyTo(m.model);
      CountDownLatch finished = new CountDownLatch(1);
      Thread onStop = new Thread(() -> stop(trainer, finished, w), "tune-stop");
      Runtime.getRuntime().addShutdownHook(onStop);
      try {
        List<Double> losses =
            train(
                trainer,
                trainable,
                examples,
                config,
                m,
                new Trainer.Checkpointing(checkpoint, checkpointEvery),
                resumeAt,
                w);
        if (losses.size() < steps) {
          w.printf(
              "stopped at step %d of %d; the checkpoint is in %s: run the same command to"
                  + " resume%n",
              losses.size(), steps, checkpoint);
        } else {
          save(trainable, m);
          w.printf(
              "wrote %s to %s: %,d trainable parameters, loss %.4f → %.4f over %d steps%n",
              tuning instanceof TuningMethod.Full ? "the full model" : "the " + method + " adapter",
              out,
              trainable.parameterCount(),
              losses.getFirst(),
              losses.getLast(),
              losses.size());
        }
        w.flush();
      } finally {
        trainable.close();
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(onStop);
        } catch (IllegalStateException shuttingDown) {
          // The JVM is stopping and the hook is running: it returns now that training ended.
        }
      }
    }
  }

  // Ctrl-C (or SIGTERM): ask for a stop at the next step boundary and hold the JVM until the
  // checkpoint is written and the command has returned.
  private static void stop(Trainer trainer, CountDownLatch finished, PrintWriter w) {
    trainer.requestStop();
    w.println("stopping after this step; writing a checkpoint");
    w.flush();
    try {
      finished.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<Double> train(
      Trainer trainer,
      Trainable trainable,
      List<Example> examples,
      TrainConfig config,
      LoadedModel m,
      Trainer.Checkpointing checkpoints,
      OptionalInt resumeAt,
      PrintWriter w) {
    ProgressLine progress = new ProgressLine(logEvery, w);
    if (resumeAt.isPresent()) {
      // Said once the checkpoint has loaded, i.e. at the first step after it.
      progress.first =
          String.format("resumed from step %d (%s)%n", resumeAt.getAsInt(), checkpoints.dir());
    }
    try {
      return trainer.train(trainable, examples, config, m.manager, progress, checkpoints);
    } catch (UncheckedIOException e) {
      throw new UserErrorException(
          "cannot write the checkpoint in " + checkpoints.dir() + ": " + e.getCause().getMessage());
    } catch (ModelException e) {
      if (resumeAt.isPresent()) {
        // The checkpoint is another run's (other options or data) or damaged.
        throw new UserErrorException(
            e.getMessage()
                + "; use another --out, or delete "
                + checkpoints.dir()
                + " to start over");
      }
      throw e;
    }
  }

  private void save(Trainable trainable, LoadedModel m) {
    try {
      if (trainable instanceof TuningMethod.AllWeights) {
        m.model.save(out);
        for (String f : List.of(HfTokenizer.FILE, HfTokenizer.CONFIG_FILE)) {
          if (Files.exists(base.resolve(f))) {
            Files.copy(base.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      } else {
        Adapters.save(trainable, out);
      }
    } catch (IOException e) {
      throw new UserErrorException("cannot write " + out + ": " + e.getMessage());
    }
  }

  private static OptionalInt checkpointStep(Path checkpoint) {
    try {
      return Trainer.checkpointStep(checkpoint);
    } catch (IOException e) {
      throw new UserErrorException(
          "cannot read the checkpoint in "
              + checkpoint
              + " ("
              + e.getMessage()
              + "); delete it to"
              + " start over");
    }
  }

  private TuningMethod validate() {
    if (!METHODS.contains(method)) {
      throw new UserErrorException(
          "--method must be one of " + String.join(", ", METHODS) + ", not '" + method + "'");
    }
    if (rank < 1) {
      throw new UserErrorException("--rank must be at least 1, got " + rank);
    }
    if (!(alpha > 0)) {
      throw new UserErrorException("--alpha must be positive, got " + alpha);
    }
    if (lr != null && !(lr > 0)) {
      throw new UserErrorException("--lr must be positive, got " + lr);
    }
    for (String[] o :
        new String[][] {
          {"--epochs", "" + epochs},
          {"--batch", "" + batch},
          {"--prefix-length", "" + prefixLength},
          {"--log-every", "" + logEvery},
          {"--checkpoint-every", "" + checkpointEvery}
        }) {
      if (Integer.parseInt(o[1]) < 1) {
        throw new UserErrorException(o[0] + " must be at least 1, got " + o[1]);
      }
    }
    return switch (method) {
      case "lora" -> new TuningMethod.Lora(loraConfig(), seed);
      case "qlora" -> new TuningMethod.QLora(loraConfig(), seed);
      case "ptuning" -> new TuningMethod.PrefixTuning(prefixLength, seed);
      default -> new TuningMethod.Full();
    };
  }

  private LoraConfig loraConfig() {
    try {
      return new LoraConfig(rank, alpha, 0, targets);
    } catch (ModelException e) {
      throw new UserErrorException("--targets: " + e.getMessage());
    }
  }

  private double defaultLr() {
    return switch (method) {
      case "ptuning" -> 1e-2;
      case "full" -> 2e-5;
      default -> 2e-4;
    };
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** One line per interval of steps: mean loss, learning rate and throughput over the interval. */
  static final class ProgressLine implements Trainer.Listener {
    private final int every;
    private final PrintWriter w;
    private double lossSum;
    private long tokens;
    private double seconds;
    private int count;
    private String first;

    ProgressLine(int every, PrintWriter w) {
      this.every = every;
      this.w = w;
    }

    @Override
    public void onStep(Trainer.Progress p) {
      if (first != null) {
        w.print(first);
        first = null;
      }
      lossSum += p.loss();
      tokens += p.tokens();
      seconds += p.tokens() / p.tokensPerSecond();
      count++;
      if (p.step() % every == 0 || p.step() == p.totalSteps()) {
        w.printf(
            "step %d/%d  loss %.4f  lr %.2e  grad-norm %.3f  %,.0f tokens/s%n",
            p.step(), p.totalSteps(), lossSum / count, p.lr(), p.gradNorm(), tokens / seconds);
        w.flush();
        lossSum = 0;
        tokens = 0;
        seconds = 0;
        count = 0;
      }
    }
  }
}
