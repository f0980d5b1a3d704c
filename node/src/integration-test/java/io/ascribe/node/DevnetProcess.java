package io.ascribe.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@code ascribe devnet} in a process of its own, on this JVM's class path, for tests that stop,
 * kill and restart a real node. It is started with a free RPC port and no metrics; its output is
 * drained (so it never blocks on a full pipe) and its last lines are kept for failure messages.
 */
public final class DevnetProcess {
  private static final int KEPT_LINES = 200;

  private final Process process;
  private final String rpcUrl;
  private final Deque<String> output;

  private DevnetProcess(Process process, String rpcUrl, Deque<String> output) {
    this.process = process;
    this.rpcUrl = rpcUrl;
    this.output = output;
  }

  /**
   * Starts the devnet on {@code dataDir} and returns once it printed its RPC URL.
   *
   * @param more further {@code ascribe devnet} options
   */
  public static DevnetProcess start(Path dataDir, long blockTimeMs, String... more)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.ascribe.node.cli.Main",
                "devnet",
                "--data-dir",
                dataDir.toString(),
                "--rpc-port",
                "0",
                "--metrics-port",
                "-1",
                "--block-time",
                Long.toString(blockTimeMs)));
    command.addAll(List.of(more));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Deque<String> output = new ArrayDeque<>();
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (output) {
                    output.addLast(line);
                    if (output.size() > KEPT_LINES) {
                      output.removeFirst();
                    }
                  }
                  if (line.trim().startsWith("RPC URL")) {
                    url.complete(line.trim().split("\\s+")[2]);
                  }
                }
              } catch (IOException ignored) {
                // The process ended; its pipe closed.
              }
              url.completeExceptionally(new IllegalStateException("the devnet exited"));
            },
            "devnet-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new DevnetProcess(process, url.get(60, TimeUnit.SECONDS), output);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      process.destroyForcibly();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      synchronized (output) {
        throw new IllegalStateException("the devnet did not start: " + output, e);
      }
    }
  }

  public String rpcUrl() {
    return rpcUrl;
  }

  /** The last lines the process printed (stdout and stderr). */
  public List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  /** SIGTERM, as Ctrl-C: the node closes itself, then the process exits. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill();
    }
  }

  /** SIGKILL, at once; returns when the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }
}
