package io.ascribe.node.evm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;

/**
 * A local EVM chain for development: the anvil binary that the build installs into {@code
 * contracts/node_modules} ({@code npm ci} in contracts/, from
 * {@code @foundry-rs/anvil-linux-amd64}), found the way the integration tests find it, beside the
 * distribution's checkout; {@code ASCRIBE_ANVIL} (or the system property {@code ascribe.anvil})
 * names another binary. Started on a loopback port (0 lets anvil pick a free one) with chain id
 * 31337 and anvil's default mnemonic, so its dev accounts are the devnet's; ready once it prints
 * "Listening on host:port". Closing it stops the process.
 */
public final class LocalAnvil implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalAnvil.class);
  private static final Path IN_CONTRACTS =
      Path.of("contracts", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
  private static final Pattern LISTENING = Pattern.compile("Listening on ([0-9.]+):(\\d+)");

  /** anvil's chain id, the one the devnet genesis's settlement names. */
  public static final long CHAIN_ID = 31337;

  private final Process process;
  private final String url;

  private LocalAnvil(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /** anvil could not be found or started; the message says how to fix it. */
  public static final class AnvilException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AnvilException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Starts anvil on {@code port} (0: a free one) and returns once it accepts JSON-RPC.
   *
   * @param blockTimeSeconds seconds between blocks, 0 to mine only on transactions
   * @throws AnvilException when the binary is missing or does not start
   */
  public static LocalAnvil start(int port, int blockTimeSeconds) {
    Path binary = binary();
    List<String> command = command(binary, port, blockTimeSeconds);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AnvilException("cannot start " + binary + ": " + e.getMessage());
    }
    List<String> lines = new ArrayList<>();
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  if (!listening.isDone()) {
                    synchronized (lines) {
                      lines.add(line);
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                      listening.complete("http://" + m.group(1) + ":" + m.group(2));
                    }
                  }
                }
              } catch (IOException e) {
                // The process ended; the future below says so if it never listened.
              }
              listening.completeExceptionally(new IOException("anvil exited"));
            },
            "anvil-output");
    reader.setDaemon(true);
    reader.start();
    try {
      String url = listening.get(60, TimeUnit.SECONDS);
      LOG.info("anvil (EVM chain {}) listens on {}", CHAIN_ID, url);
      return new LocalAnvil(process, url);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AnvilException("interrupted while starting anvil");
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      String said;
      synchronized (lines) {
        said = String.join(" / ", lines);
      }
      throw new AnvilException(
          "anvil did not start"
              + (port != 0 ? " on port " + port + " (is it taken? pick another or 0)" : "")
              + ": "
              + said);
    }
  }

  /**
   * Starts anvil on {@code port} as a process of its own that outlives this program (a testnet's),
   * appending its output to {@code log}; returns its process id. Wait for it with {@link
   * #awaitRpc}.
   */
  public static long launch(int port, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command(binary(), port, 1));
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder.start().pid();
  }

  /**
   * Returns once the EVM node behind {@code web3j} answers {@code eth_chainId}, retrying on refused
   * connections for at most {@code timeout}.
   *
   * @throws AnvilException when it does not answer in time
   */
  public static void awaitRpc(Web3j web3j, String url, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        web3j.ethChainId().send();
        return;
      } catch (IOException | RuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          throw new AnvilException("anvil at " + url + " did not answer within " + timeout);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AnvilException("interrupted while waiting for anvil at " + url);
        }
      }
    }
  }

  /**
   * anvil on loopback, on {@code port}, with the devnet's chain id; 0 s blocks: on transactions.
   */
  private static List<String> command(Path binary, int port, int blockTimeSeconds) {
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--chain-id",
                Long.toString(CHAIN_ID)));
    if (blockTimeSeconds > 0) {
      command.addAll(List.of("--block-time", Integer.toString(blockTimeSeconds)));
    }
    return command;
  }

  /** The binary to run: ASCRIBE_ANVIL, the property, or the one beside the distribution. */
  static Path binary() {
    return binary(
        Optional.ofNullable(System.getenv("ASCRIBE_ANVIL"))
            .or(() -> Optional.ofNullable(System.getProperty("ascribe.anvil"))));
  }

  /**
   * The binary {@code named} (by ASCRIBE_ANVIL or the property), else the one `npm ci` installs.
   */
  static Path binary(Optional<String> named) {
    if (named.isPresent()) {
      Path path = Path.of(named.get());
      if (!Files.isExecutable(path)) {
        throw new AnvilException(
            "ASCRIBE_ANVIL (or -Dascribe.anvil) names "
                + path
                + ", which is not an executable file: name anvil's binary, or leave it unset to use"
                + " the one `npm ci` installs in contracts/node_modules");
      }
      return path;
    }
    Optional<Path> checkout = checkoutRoot();
    Path expected = checkout.map(root -> root.resolve(IN_CONTRACTS)).orElse(IN_CONTRACTS);
    if (!Files.isExecutable(expected)) {
      throw new AnvilException(
          "anvil is missing (looked for "
              + expected.toAbsolutePath()
              + "): install it with `npm ci` in "
              + checkout.map(root -> root.resolve("contracts").toString()).orElse("contracts/")
              + " (it needs the npm registry once), or name a binary with ASCRIBE_ANVIL=PATH");
    }
    return expected;
  }

  /**
   * The source checkout the running code comes from: the distribution is node/target/*.jar (or
   * node/target/classes), two levels below the node module.
   */
  private static Optional<Path> checkoutRoot() {
    try {
      Path code =
          Path.of(LocalAnvil.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = code.getParent();
      if (target == null || target.getParent() == null || target.getParent().getParent() == null) {
        return Optional.empty();
      }
      return Optional.of(target.getParent().getParent());
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return Optional.empty();
    }
  }

  /** The JSON-RPC URL, http://127.0.0.1:PORT. */
  public String url() {
    return url;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    LOG.info("anvil at {} stopped", url);
  }
}
