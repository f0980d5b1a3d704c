package io.ascribe.node.cli;

import io.ascribe.inference.bench.MethodResult;
import io.ascribe.inference.bench.TuningBench;
import io.ascribe.inference.bench.TuningTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ascribe bench ...}: benchmarks that measure this machine (not tests: nothing asserts). */
@Command(
    name = "bench",
    description = "Benchmarks run on this machine.",
    subcommands = {BenchCommand.Tuning.class})
final class BenchCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code ascribe bench tuning}: pretrains the small base on the KJV (cached), then fine-tunes it
   * on GCIDE headword → definition pairs with each method in a JVM of its own (so each peak RSS is
   * that method's) and prints the markdown table of {@link TuningTable}.
   */
  @Command(
      name = "tuning",
      description =
          "Pretrain a 9.7 M-parameter base on the KJV, fine-tune it on GCIDE definitions with"
              + " LoRA, P-tuning, QLoRA and full fine-tuning, and print the comparison table."
              + " Needs Debian's bible-kjv and dict-gcide (scripts/bench-data.sh).")
  static final class Tuning implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--work-dir",
        paramLabel = "DIR",
        defaultValue = "target/bench",
        description =
            "Where derived data, the pretrained base and results go (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(
        names = "--quick",
        description = "A smoke run of a minute or two: tiny step budgets, 4 test prompts.")
    boolean quick;

    @Option(
        names = "--methods",
        split = ",",
        defaultValue = "lora,ptuning,qlora,full",
        description = "Methods to run, in table order (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(
        names = "--steps",
        description = "Fine-tuning steps per method (default: 200, or 8 with --quick).")
    Integer steps;

    @Option(
        names = "--pretrain-steps",
        description = "Pretraining steps of the base (default: 400, or 10 with --quick).")
    Integer pretrainSteps;

    @Option(
        names = "--test-prompts",
        description =
            "Held-out prompts scored per method, at most 1000 (default: 100, or 4 with --quick).")
    Integer testPrompts;

    @Option(
        names = "--tune-seed",
        description =
            "Seed of the fine-tuning (adapter initialisation, batch order) on the same base and"
                + " split; results of a seed other than 1 go to METHOD-seedN.json (default: 1).")
    Long tuneSeed;

    @Option(
        names = "--table-only",
        description =
            "Print the table from the results a finished (or interrupted) run left in"
                + " WORK_DIR/results, without training.")
    boolean tableOnly;

    @Option(
        names = "--worker",
        hidden = true,
        paramLabel = "METHOD",
        description = "Internal: run one method in this process and write its result.")
    String worker;

    @Option(names = "--result", hidden = true, paramLabel = "FILE", description = "Internal.")
    Path result;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      TuningBench.Settings s = settings();
      for (String m : methods) {
        if (!TuningBench.METHODS.contains(m)) {
          throw new UserErrorException(
              "--methods: '" + m + "' is not one of " + String.join(", ", TuningBench.METHODS));
        }
      }
      if (worker != null && result == null) {
        throw new UserErrorException("--worker needs --result FILE");
      }
      try {
        Files.createDirectories(work);
        if (worker != null) {
          runWorker(s, out);
          return;
        }
        List<MethodResult> results = new ArrayList<>();
        if (tableOnly) {
          for (String m : methods) {
            results.add(TuningBench.readResult(resultFile(m)));
          }
          report(results, out);
          return;
        }
        TuningBench.Split split = TuningBench.split(work, s.testPrompts(), s.seed());
        say(
            out,
            String.format(
                "GCIDE: %,d training pairs, %d test prompts; e.g. %s→ %s",
                split.train().size(),
                split.test().size(),
                split.test().getFirst().prompt().replace("\n", " "),
                split.test().getFirst().response()));
        TuningBench.pretrain(work, s, line -> say(out, line));
        for (String m : methods) {
          results.add(spawn(m, out));
        }
        report(results, out);
      } catch (NoSuchFileException e) {
        throw new UserErrorException("missing " + e.getMessage());
      } catch (IOException e) {
        throw new UserErrorException("bench tuning: " + e.getMessage());
      }
    }

    private Path resultFile(String method) {
      String seed = tuneSeed == null || tuneSeed == 1 ? "" : "-seed" + tuneSeed;
      return work.resolve("results").resolve(method + (quick ? "-quick" : "") + seed + ".json");
    }

    private void report(List<MethodResult> results, PrintWriter out) throws IOException {
      StringBuilder report = new StringBuilder(TuningTable.markdown(results)).append('\n');
      for (String t : TuningTable.targets(results)) {
        report.append("- ").append(t).append('\n');
      }
      Files.writeString(
          work.resolve(quick ? "tuning-table-quick.md" : "tuning-table.md"), report.toString());
      out.println();
      out.print(report);
      out.println();
      for (MethodResult r : results) {
        out.printf(
            Locale.ROOT,
            "%s: matmul %.2f GFLOP/s in its process, %.2f GFLOP/s achieved; e.g. %s → %s%n",
            r.method(),
            r.matmulFlops() / 1e9,
            r.flopShare() * r.matmulFlops() / 1e9,
            r.samples().isEmpty() ? "" : r.samples().getFirst().prompt(),
            r.samples().isEmpty() ? "" : "'" + r.samples().getFirst().generated() + "'");
      }
      out.flush();
    }

    private TuningBench.Settings settings() {
      TuningBench.Settings s = quick ? TuningBench.Settings.quick() : TuningBench.Settings.full();
      if (steps != null) {
        if (steps < 1) {
          throw new UserErrorException("--steps must be at least 1, got " + steps);
        }
        s = s.withTuneSteps(steps);
      }
      if (pretrainSteps != null) {
        if (pretrainSteps < 1) {
          throw new UserErrorException("--pretrain-steps must be at least 1, got " + pretrainSteps);
        }
        s = s.withPretrainSteps(pretrainSteps);
      }
      if (tuneSeed != null) {
        s = s.withTuneSeed(tuneSeed);
      }
      if (testPrompts != null) {
        if (testPrompts < 2 || testPrompts > 1000) {
          throw new UserErrorException(
              "--test-prompts must be 2 to 1000 (a standard error needs two), got " + testPrompts);
        }
        s = s.withTestPrompts(testPrompts);
      }
      return s;
    }

    private void runWorker(TuningBench.Settings s, PrintWriter out) throws IOException {
      TuningBench.Split split = TuningBench.split(work, s.testPrompts(), s.seed());
      Path base = TuningBench.pretrain(work, s, line -> say(out, line));
      MethodResult r = TuningBench.run(worker, base, split, s, line -> say(out, line));
      TuningBench.writeResult(r, result);
    }

    // The same java, JVM options and class path as this process, so the worker is this program.
    private MethodResult spawn(String method, PrintWriter out) throws IOException {
      Path file = resultFile(method);
      Files.deleteIfExists(file);
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Main.class.getName());
      cmd.addAll(List.of("bench", "tuning", "--work-dir", work.toString(), "--worker", method));
      cmd.addAll(List.of("--result", file.toString()));
      if (quick) {
        cmd.add("--quick");
      }
      if (steps != null) {
        cmd.add("--steps=" + steps);
      }
      if (pretrainSteps != null) {
        cmd.add("--pretrain-steps=" + pretrainSteps);
      }
      if (tuneSeed != null) {
        cmd.add("--tune-seed=" + tuneSeed);
      }
      if (testPrompts != null) {
        cmd.add("--test-prompts=" + testPrompts);
      }
      say(out, "running " + method + " in its own process");
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      try {
        int rc = p.waitFor();
        if (rc != 0) {
          throw new UserErrorException(
              "the " + method + " run failed (exit " + rc + "); its output is above");
        }
      } catch (InterruptedException e) {
        p.destroy();
        Thread.currentThread().interrupt();
        throw new UserErrorException("interrupted while " + method + " ran");
      }
      return TuningBench.readResult(file);
    }

    private static void say(PrintWriter out, String line) {
      out.println(line);
      out.flush();
    }
  }
}
