package io.ascribe.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.ai.InferenceRequest;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.node.client.RpcClient;
import io.ascribe.node.client.RpcClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ascribe chat}: asks an executor RAG questions over a datanet, paying each with a fee
 * authorisation signed here for exactly that request (its fee limit is the spending so far plus
 * this fee, so the executor can charge nothing more). Prints each answer with the contributions it
 * cites and their shares, which is what the contributors are paid by.
 */
@Command(
    name = "chat",
    description =
        "Ask an executor questions answered from a datanet (RAG), with citations; each answer"
            + " is paid by a fee authorisation signed here.")
final class ChatCommand implements Runnable {
  @Mixin RpcOption rpc;
  @Mixin SignerOptions signer;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "ID", required = true, description = "Base model id.")
  String model;

  @Option(
      names = "--adapter",
      paramLabel = "ID",
      description = "Adapter id (a finished tuning job's) to answer with.")
  String adapter;

  @Option(
      names = "--datanet",
      paramLabel = "ID",
      required = true,
      description = "Datanet to retrieve from.")
  String datanet;

  @Option(
      names = "--prompt",
      paramLabel = "TEXT",
      description = "Ask this one question; without it, each line of standard input is one.")
  String prompt;

  @Option(
      names = "--top-k",
      defaultValue = "4",
      description = "Documents retrieved per question (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--max-tokens",
      defaultValue = "48",
      description = "Longest answer, in tokens (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--json",
      description =
          "Print each answer as the node's JSON (answer, requestHash, outputHash, executor,"
              + " citations, fee) on one line, for scripts.")
  boolean json;

  @Option(
      names = "--fee",
      paramLabel = "OPEN",
      description = "Fee per question (default: the chain's minimum request fee).")
  String fee;

  @Override
  public void run() {
    PrivateKey key = signer.key();
    // An answer with its attribution takes a while on a CPU.
    RpcClient client = new RpcClient(rpc.url, java.time.Duration.ofMinutes(10));
    PrintWriter out = spec.commandLine().getOut();
    Hash modelId = IdOption.parse("--model", model);
    Hash datanetId = IdOption.parse("--datanet", datanet);
    Optional<Hash> adapterId =
        adapter == null ? Optional.empty() : Optional.of(IdOption.parse("--adapter", adapter));
    if (prompt != null) {
      ask(client, key, prompt, modelId, adapterId, datanetId, out);
      return;
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.isBlank()) {
          ask(client, key, line, modelId, adapterId, datanetId, out);
        }
      }
    } catch (IOException e) {
      throw new UserErrorException("cannot read standard input: " + e.getMessage());
    }
  }

  private void ask(
      RpcClient client,
      PrivateKey key,
      String question,
      Hash modelId,
      Optional<Hash> adapterId,
      Hash datanetId,
      PrintWriter out) {
    InferenceRequest request;
    try {
      request = new InferenceRequest(question, modelId, adapterId, datanetId, topK, maxTokens);
    } catch (IllegalArgumentException e) {
      throw new UserErrorException(e.getMessage());
    }
    JsonNode quote = call(client, "ascribe_inferenceQuote", key.address().toString());
    BigInteger price = fee != null ? price(fee) : Quantities.parse(quote.path("minFee").asText());
    BigInteger limit = Quantities.parse(quote.path("spent").asText()).add(price);
    FeeAuthorisation authorisation =
        new FeeAuthorisation(
            Quantities.parseLong(quote.path("chainId").asText()),
            key.address(),
            Address.fromHex(quote.path("executor").asText()),
            Quantities.parseLong(quote.path("nonce").asText()),
            price,
            limit,
            request.hash());
    var wire = authorisation.signed(key);
    Map<String, Object> auth =
        Map.of(
            "user", key.address().toString(),
            "nonce", Quantities.toHex(authorisation.nonce()),
            "fee", Quantities.toHex(price),
            "feeLimit", Quantities.toHex(limit),
            "signature", Hex.encode(wire.getSignature().toByteArray()));
    java.util.LinkedHashMap<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("prompt", question);
    body.put("model", modelId.toHex());
    adapterId.ifPresent(a -> body.put("adapter", a.toHex()));
    body.put("datanet", datanetId.toHex());
    body.put("topK", Quantities.toHex(topK));
    body.put("maxNewTokens", Quantities.toHex(maxTokens));
    body.put("authorisation", auth);
    JsonNode answer = call(client, "ascribe_infer", body);
    if (json) {
      out.println(answer.toString());
      out.flush();
      return;
    }
    out.println(answer.path("answer").asText());
    int n = 1;
    for (JsonNode c : answer.path("citations")) {
      out.printf(
          "  [%d] %s  %5.1f%%  (score %+.4f)%n",
          n++,
          c.path("contribution").asText(),
          c.path("ppm").asLong() / 10_000.0,
          c.path("score").asDouble());
    }
    out.printf(
        "  paid %s OPEN to executor %s, request %s%n",
        Amount.formatOpen(price), authorisation.executor(), request.hash());
    out.flush();
  }

  private static BigInteger price(String open) {
    try {
      return Amount.parseOpen(open);
    } catch (IllegalArgumentException e) {
      throw new UserErrorException("--fee: " + e.getMessage());
    }
  }

  private JsonNode call(RpcClient client, String method, Object... params) {
    try {
      return client.call(method, params);
    } catch (RpcClientException e) {
      if (e.code() == -32601) {
        throw new UserErrorException(
            rpc.url + " serves no inference: point --rpc at an executor (ascribe run --executor)");
      }
      throw new UserErrorException(e.getMessage());
    }
  }
}
