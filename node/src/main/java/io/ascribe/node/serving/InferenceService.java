package io.ascribe.node.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.ascribe.core.ai.InferenceRequest;
import io.ascribe.core.proto.AttributionScore;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import io.ascribe.ledger.ai.Model;
import io.ascribe.node.executor.ContentSource;
import io.ascribe.node.executor.WorkSubmitter;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ascribe_infer}: an executor answers a user's RAG request paid by the user's signed fee
 * authorisation. The request is checked whole before any compute (the model, datanet and adapter on
 * chain, the authorisation as the ledger will check it), the answer is generated with citations,
 * and its receipt is on disk before the answer goes back; {@link ReceiptBatcher} posts it. One
 * request runs at a time: they share the machine's cores.
 */
public final class InferenceService {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceService.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int DEFAULT_TOP_K = 4;
  private static final int DEFAULT_MAX_NEW_TOKENS = 48;
  private static final int PAGE = 500;

  private final Ledger ledger;
  private final WorkSubmitter submitter;
  private final ContentSource content;
  private final Function<Model, Optional<Path>> models;
  private final RagEngine engine;
  private final ReceiptBatcher receipts;
  private final FeeCheck fees;
  private final RequestRunner runner;
  private final ReceiptAuditor auditor;

  public InferenceService(
      Ledger ledger,
      WorkSubmitter submitter,
      ContentSource content,
      Function<Model, Optional<Path>> models,
      RagEngine engine,
      Path dir,
      Duration fetchTimeout,
      int auditPercent) {
    this.ledger = ledger;
    this.submitter = submitter;
    this.content = content;
    this.models = models;
    this.engine = engine;
    this.receipts =
        new ReceiptBatcher(
            ledger,
            submitter,
            dir.resolve("receipts.json"),
            Math.max(1, ledger.genesis().params().ai().inference().challengeWindowBlocks() / 10));
    this.fees = new FeeCheck(ledger, submitter.self());
    this.runner =
        new RequestRunner(ledger, content, models, engine, dir.resolve("adapters"), fetchTimeout);
    this.auditor =
        new ReceiptAuditor(ledger, submitter, content, runner, auditPercent, fetchTimeout);
  }

  /**
   * {@code ascribe_inferenceQuote(user)}: what a user's next authorisation for this executor must
   * say — the executor's address, the next unused authorisation nonce, the minimum fee, and the
   * user's inference spending so far (on chain, plus what this executor holds unposted), so a limit
   * of spent + fee authorises exactly one more request. Not held behind a running answer: a quote
   * that races one may name a nonce that answer takes, and the request is then refused as reused.
   */
  public JsonNode quote(JsonNode params) {
    Address user = Params.of(params).atMost(1).address(0, "user");
    // What this executor holds first, then the chain: a batch whose block commits in between is
    // then read on chain, instead of in neither (held no more, not yet committed when read).
    List<io.ascribe.core.proto.FeeAuthorisation> held = receipts.heldFor(user);
    var onChain = ledger.feeAuthorisations(user);
    long next = onChain.map(n -> n.highest() + 1).orElse(1L);
    FeeAuthorisationNonces nonces = onChain.orElse(FeeAuthorisationNonces.none(user));
    for (io.ascribe.core.proto.FeeAuthorisation h : held) {
      next = Math.max(next, h.getNonce() + 1);
      try {
        nonces = nonces.use(h.getNonce(), new BigInteger(1, h.getFee().toByteArray()));
      } catch (IllegalArgumentException onChainAlready) {
        // Its batch committed after the held receipts were read: counted on chain already.
      }
    }
    BigInteger spent = nonces.spent();
    ObjectNode out = F.objectNode();
    out.put("executor", submitter.self().toString());
    out.put("nonce", Quantities.toHex(next));
    out.put("minFee", Quantities.toHex(ledger.genesis().params().ai().inference().minRequestFee()));
    out.put("spent", Quantities.toHex(spent));
    out.put("chainId", Quantities.toHex(ledger.genesis().chainId()));
    return out;
  }

  /**
   * After each committed block: posts the receipts that are due, and queues the block's receipts
   * and challenges for re-execution ({@link #audit}).
   */
  public void onCommitted(io.ascribe.ledger.exec.ExecutedBlock block) {
    receipts.onCommitted();
    auditor.enqueue(block);
  }

  /** Re-executes the queued sample of other executors' receipts; slow, on the work thread. */
  public void audit() {
    auditor.runQueued();
  }

  /** {@code ascribe_infer(request)}: see the class comment. */
  public synchronized JsonNode infer(JsonNode params) {
    Params all = Params.of(params).atMost(1);
    Params p =
        all.fields(
            0,
            "request",
            "prompt",
            "model",
            "adapter",
            "datanet",
            "topK",
            "maxNewTokens",
            "authorisation");
    InferenceRequest request;
    try {
      request =
          new InferenceRequest(
              p.string(0, "prompt"),
              p.hash(1, "model"),
              p.optionalString(2, "adapter").isPresent()
                  ? Optional.of(p.hash(2, "adapter"))
                  : Optional.empty(),
              p.hash(3, "datanet"),
              count(p.optionalQuantity(4, "topK"), DEFAULT_TOP_K),
              count(p.optionalQuantity(5, "maxNewTokens"), DEFAULT_MAX_NEW_TOKENS));
    } catch (IllegalArgumentException e) {
      throw RpcException.invalidParams(e.getMessage());
    }
    Params auth = p.fields(6, "authorisation", "user", "nonce", "fee", "feeLimit", "signature");
    io.ascribe.core.proto.FeeAuthorisation wire =
        io.ascribe.core.proto.FeeAuthorisation.newBuilder()
            .setUser(ByteString.copyFrom(auth.address(0, "user").toArray()))
            .setNonce(auth.quantity(1, "nonce"))
            .setFee(ByteString.copyFrom(Amount.encode(auth.bigQuantity(2, "fee"))))
            .setFeeLimit(ByteString.copyFrom(Amount.encode(auth.bigQuantity(3, "feeLimit"))))
            .setSignature(ByteString.copyFrom(auth.hexBytes(4, "signature")))
            .build();

    try {
      runner.check(request);
    } catch (IllegalArgumentException e) {
      throw RpcException.invalidParams(e.getMessage());
    }
    BigInteger bond = ledger.genesis().params().ai().jobs().executorBond();
    if (ledger.capability(submitter.self()).filter(c -> c.takesJobs(bond)).isEmpty()) {
      throw RpcException.invalidParams(
          "this node ("
              + submitter.self()
              + ") has no active inference capability, so its receipts would be refused: send"
              + " the request to an executor (ascribe run --executor)");
    }
    FeeAuthorisation authorisation;
    try {
      authorisation =
          fees.check(
              wire, request.hash(), receipts.heldFor(Address.wrap(wire.getUser().toByteArray())));
    } catch (IllegalArgumentException e) {
      throw RpcException.invalidParams("authorisation: " + e.getMessage());
    }
    long start = System.nanoTime();
    RagEngine.Answer answer;
    try {
      answer = runner.run(request);
    } catch (IllegalArgumentException e) {
      throw RpcException.invalidParams(e.getMessage());
    } catch (ContentSource.ContentMissingException e) {
      throw RpcException.internal(
          e.getMessage() + "; the request was not charged, send it again later");
    }
    Hash output = InferenceRequest.outputHash(answer.text());
    List<AttributionScore> scores = new ArrayList<>();
    for (RagEngine.Citation c : answer.citations()) {
      scores.add(
          AttributionScore.newBuilder()
              .setContribution(ByteString.copyFrom(c.contribution().toArray()))
              .setScorePpm(c.ppm())
              .build());
    }
    InferenceReceipt receipt =
        TxBodies.inferenceReceipt(
            request.hash(),
            request.model(),
            request.adapter(),
            request.datanet(),
            scores,
            output,
            wire);
    // Published so that a verifier holding only the receipt can fetch the request and re-run it.
    content.publish(request.preimage());
    content.publish(request.promptBytes());
    receipts.add(receipt);
    LOG.info(
        "Answered request {} for {} ({} OPEN) in {} ms with {} citations",
        request.hash(),
        authorisation.user(),
        Amount.formatOpen(authorisation.fee()),
        (System.nanoTime() - start) / 1_000_000,
        answer.citations().size());

    ObjectNode out = F.objectNode();
    out.put("answer", answer.text());
    out.put("requestHash", request.hash().toHex());
    out.put("outputHash", output.toHex());
    out.put("executor", submitter.self().toString());
    var citations = out.putArray("citations");
    for (RagEngine.Citation c : answer.citations()) {
      citations
          .addObject()
          .put("contribution", c.contribution().toHex())
          .put("score", c.score())
          .put("ppm", c.ppm());
    }
    out.put("fee", Quantities.toHex(authorisation.fee()));
    return out;
  }

  /** A count the caller gave, or the default; past int range it reads as too large. */
  private static int count(Optional<Long> given, int otherwise) {
    return given.map(v -> (int) Math.min(v, Integer.MAX_VALUE)).orElse(otherwise);
  }
}
