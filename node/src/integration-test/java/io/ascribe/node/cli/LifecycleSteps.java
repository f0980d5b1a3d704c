package io.ascribe.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.inference.model.LlamaConfig;
import io.ascribe.node.client.RpcClient;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the lifecycle tests on the testnet and on the devnet share: the files a user has (a small
 * model, the Proverbs verses) and the commands and reads they go through.
 */
final class LifecycleSteps {
  private LifecycleSteps() {}

  /**
   * A small byte-level Llama made by {@code ascribe model create} in {@code out}, 512 positions.
   */
  static Path model(Path work, Path out) throws IOException {
    Path config = work.resolve("config.json");
    new LlamaConfig(64, 128, 2, 4, 2, 260, 1e-5, 10000, 512, false).write(config);
    cli(
        null,
        "model",
        "create",
        "--config",
        config.toString(),
        "--out",
        out.toString(),
        "--seed",
        "7");
    return out;
  }

  /**
   * The 63 verses of Proverbs 10 and 11 (King James Bible, public domain, from Debian's
   * bible-kjv-text; see {@code scripts/e2e-data.sh}), one JSON line each.
   */
  static List<String> verses() throws IOException {
    try (InputStream in = LifecycleSteps.class.getResourceAsStream("/kjv/proverbs-10-11.jsonl")) {
      assertThat(in).as("kjv/proverbs-10-11.jsonl on the test class path").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  /** Runs {@code ascribe ARGS --rpc RPC} (no --rpc when {@code rpc} is null); it must succeed. */
  static String cli(String rpc, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (rpc != null) {
      all.addAll(List.of("--rpc", rpc));
    }
    return CliRun.of(all.toArray(String[]::new)).succeeds();
  }

  /** {@code ascribe model register} of the model in {@code dir}; returns the model's id. */
  static Hash registerModel(String rpc, PrivateKey owner, Path dir) {
    return CliRun.printedHash(
        cli(
            rpc,
            "model",
            "register",
            "--key",
            owner.toHex(),
            "--dir",
            dir.toString(),
            "--licence",
            "apache-2.0"),
        "model");
  }

  /** {@code ascribe datanet create} of a text datanet with a bond of 1 OPEN; returns its id. */
  static Hash createDatanet(String rpc, PrivateKey owner, String name) {
    return CliRun.printedHash(
        cli(
            rpc,
            "datanet",
            "create",
            "--key",
            owner.toHex(),
            "--name",
            name,
            "--schema",
            "text/v1",
            "--min-bond",
            "1"),
        "datanet");
  }

  /** {@code ascribe datanet contribute} of a JSON Lines file; returns what the command printed. */
  static String contribute(String rpc, PrivateKey contributor, Hash datanet, Path file) {
    return cli(
        rpc,
        "datanet",
        "contribute",
        "--key",
        contributor.toHex(),
        "--datanet",
        datanet.toHex(),
        "--file",
        file.toString());
  }

  /** {@code ascribe job submit} of a spec file; returns the job's id. */
  static Hash submitJob(String rpc, PrivateKey submitter, Path spec) {
    return CliRun.printedHash(
        cli(rpc, "job", "submit", "--key", submitter.toHex(), "--spec", spec.toString()), "job");
  }

  /**
   * A {@link TxSender} for {@code key} at its next pending nonce, paying the node's minimum fee.
   */
  static TxSender sender(String rpc, PrivateKey key) {
    RpcClient client = LocalTestnet.rpc(rpc);
    return new TxSender(
        client,
        key,
        Quantities.parseLong(client.call("ascribe_chainId").asText()),
        Quantities.parseLong(
            client.call("ascribe_getNonce", key.address().toString(), "pending").asText()),
        Quantities.parse(client.call("ascribe_minFee").asText()));
  }

  static BigInteger balance(String rpc, Address account) {
    return Quantities.parse(
        LocalTestnet.rpc(rpc).call("ascribe_getBalance", account.toString()).asText());
  }

  static BigInteger rewards(String rpc, Address account) {
    return Quantities.parse(
        LocalTestnet.rpc(rpc)
            .call("ascribe_getRewards", account.toString())
            .path("cumulative")
            .asText());
  }
}
