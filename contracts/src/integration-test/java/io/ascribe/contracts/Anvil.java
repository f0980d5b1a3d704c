package io.ascribe.contracts;

import io.ascribe.core.crypto.PrivateKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * A real EVM for the tests: anvil from the npm package {@code @foundry-rs/anvil-linux-amd64} that
 * the build installs into contracts/node_modules ({@code npm ci}), started on a free loopback port
 * (anvil picks it: {@code --port 0}) and ready once it prints "Listening on host:port".
 */
public final class Anvil implements AutoCloseable {
  /** anvil's first dev account (from its default mnemonic), funded with 10,000 ETH. */
  public static final PrivateKey DEPLOYER =
      PrivateKey.fromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

  public static final long CHAIN_ID = 31337;

  private static final Path BINARY =
      Path.of("node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
  private static final Pattern LISTENING = Pattern.compile("Listening on ([0-9.]+):(\\d+)");

  private final Process process;
  private final String url;
  private final HttpService service;
  private final Web3j web3j;
  private final List<String> output = new ArrayList<>();

  private Anvil(Process process, String url) {
    this.process = process;
    this.url = url;
    this.service = new HttpService(url);
    this.web3j = Web3j.build(service);
  }

  /** Starts anvil and returns once it accepts JSON-RPC. */
  public static Anvil start() {
    // Other modules' tests point at the binary contracts/ installed (system property
    // ascribe.anvil).
    String override = System.getProperty("ascribe.anvil");
    Path binary = override != null ? Path.of(override) : BINARY.toAbsolutePath();
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          binary
              + " is missing: the Maven build installs it with `npm ci` in contracts/ (phase"
              + " pre-integration-test); run `./mvnw -pl contracts -am verify` or `npm ci` there");
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                binary.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--chain-id",
                Long.toString(CHAIN_ID),
                "--accounts",
                "2")
            .redirectErrorStream(true);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + binary, e);
    }
    List<String> lines = new ArrayList<>();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(line);
                  }
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    listening.complete("http://" + m.group(1) + ":" + m.group(2));
                  }
                }
                listening.completeExceptionally(
                    new IllegalStateException("anvil exited before listening: " + lines));
              } catch (IOException e) {
                listening.completeExceptionally(e);
              }
            },
            "anvil-output");
    reader.setDaemon(true);
    reader.start();
    try {
      String url = listening.get(60, TimeUnit.SECONDS);
      Anvil anvil = new Anvil(process, url);
      synchronized (lines) {
        anvil.output.addAll(lines);
      }
      return anvil;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted starting anvil", e);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException("anvil did not start: " + lines, e);
    }
  }

  public String url() {
    return url;
  }

  public Web3j web3j() {
    return web3j;
  }

  /** Mines {@code blocks} empty blocks (anvil_mine). */
  public void mine(int blocks) {
    rpc("anvil_mine", List.of("0x" + Integer.toHexString(blocks)));
  }

  /** Takes a snapshot of the chain (evm_snapshot) and returns its id. */
  public String snapshot() {
    return (String) rpc("evm_snapshot", List.of());
  }

  /** Reverts the chain to {@code snapshot} (evm_revert): the blocks after it disappear. */
  public void revert(String snapshot) {
    if (!Boolean.TRUE.equals(rpc("evm_revert", List.of(snapshot)))) {
      throw new IllegalStateException("evm_revert " + snapshot + " failed");
    }
  }

  /** The JSON-RPC result of an anvil-specific method. */
  public Object rpc(String method, List<?> params) {
    try {
      RawResponse response = new Request<>(method, params, service, RawResponse.class).send();
      if (response.hasError()) {
        throw new IllegalStateException(method + ": " + response.getError().getMessage());
      }
      return response.getResult();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON-RPC response whose result is left as Jackson read it. */
  public static final class RawResponse extends Response<Object> {}

  @Override
  public void close() {
    web3j.shutdown();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
