package io.ascribe.node.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.EvmDeposit;
import io.ascribe.node.config.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The confirmed deposits this validator saw on the EVM chain and has not yet seen settled on
 * Ascribe (its attestation included, or the deposit credited), in a JSON file replaced atomically
 * on every change. The deposit watcher hands deposits over before it records them as scanned, and
 * they leave this file only once the ledger shows them settled, so a crash at any point neither
 * loses a deposit nor makes the validator attest one twice.
 */
final class PendingDeposits {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<Long, EvmDeposit> byNumber = new TreeMap<>();

  /** The deposits in {@code file}, or none if it does not exist yet. */
  PendingDeposits(Path file) {
    this.file = file;
    if (Files.exists(file)) {
      try {
        for (JsonNode entry : JSON.readTree(file.toFile())) {
          EvmDeposit deposit = fromJson(entry);
          byNumber.put(deposit.number(), deposit);
        }
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException(
            "cannot read the pending deposits in "
                + file
                + " ("
                + e.getMessage()
                + "); remove the file and the deposit watcher's state beside it to rescan the EVM"
                + " chain (deposits already credited are skipped)",
            e);
      }
    }
  }

  /** The pending deposits, lowest number first. */
  Collection<EvmDeposit> all() {
    return List.copyOf(byNumber.values());
  }

  boolean isEmpty() {
    return byNumber.isEmpty();
  }

  /** Adds {@code deposits} and writes the file before returning. */
  void addAll(List<EvmDeposit> deposits) {
    deposits.forEach(d -> byNumber.put(d.number(), d));
    save();
  }

  /** Forgets deposit {@code number} (settled on Ascribe) and writes the file. */
  void remove(long number) {
    if (byNumber.remove(number) != null) {
      save();
    }
  }

  private void save() {
    ArrayNode array = JSON.createArrayNode();
    byNumber.values().forEach(d -> array.add(toJson(d)));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      AtomicFiles.write(
          file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array) + "\n", false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the pending deposits to " + file, e);
    }
  }

  private static JsonNode toJson(EvmDeposit d) {
    return JSON.createObjectNode()
        .put("deposit", d.number())
        .put("evmChainId", d.evmChainId())
        .put("bridge", d.bridge().toString())
        .put("depositor", d.depositor().toString())
        .put("recipient", d.recipient().toString())
        .put("amountWei", d.amount().toString())
        .put("evmTxHash", d.evmTxHash().toHex())
        .put("evmBlockHash", d.evmBlockHash().toHex());
  }

  private static EvmDeposit fromJson(JsonNode j) {
    return new EvmDeposit(
        j.path("evmChainId").asLong(),
        Address.fromHex(j.path("bridge").asText()),
        j.path("deposit").asLong(),
        Address.fromHex(j.path("depositor").asText()),
        Address.fromHex(j.path("recipient").asText()),
        new BigInteger(j.path("amountWei").asText()),
        Hash.fromHex(j.path("evmTxHash").asText()),
        Hash.fromHex(j.path("evmBlockHash").asText()));
  }
}
