package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.BatchFilter;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcRegistry;
import java.util.Arrays;
import java.util.List;

/**
 * The inference side's JSON-RPC methods: receipt batches by id or listed by executor and status,
 * the challenges against receipts, and a user's fee-authorisation record. Each object can come with
 * its state proof, as {@link DataApi}'s and {@link JobApi}'s do; an unknown id is {@link
 * ChainApi#NOT_FOUND}. Who earned what from a receipt is {@code ascribe_getAttribution}, which
 * {@link JobApi} serves for jobs and batches alike.
 */
public final class InferenceApi {
  private static final List<String> STATUSES =
      Arrays.stream(InferenceBatch.Status.values()).map(JobJson::label).toList();

  private final Ledger ledger;
  private final ObjectReplies replies;

  public InferenceApi(Ledger ledger) {
    this.ledger = ledger;
    this.replies = new ObjectReplies(ledger);
  }

  public void register(RpcRegistry registry) {
    registry
        .register("ascribe_getInferenceBatch", this::getBatch)
        .register("ascribe_listInferenceBatches", this::listBatches)
        .register("ascribe_getReceiptChallenge", this::getChallenge)
        .register("ascribe_getFeeAuthorisations", this::getFeeAuthorisations);
  }

  private JsonNode getBatch(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    InferenceBatch batch = batch(ledger, params.hash(0, "batchId"));
    return replies.object(
        batch, params.optionalBool(1, "withProof").orElse(false), InferenceJson::batch);
  }

  /** The batch with this id, or the NOT_FOUND error naming the listing to find one in. */
  static InferenceBatch batch(Ledger ledger, Hash id) {
    return ledger
        .inferenceBatch(id)
        .orElseThrow(
            () ->
                ObjectReplies.notFound(
                    "no inference batch has the id " + id,
                    "list them with ascribe_listInferenceBatches"));
  }

  private JsonNode listBatches(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Params filter = params.fields(0, "filter", "executor", "status", "page");
    BatchFilter matching =
        new BatchFilter(
            filter.optionalAddress(0, "executor"),
            filter
                .optionalOneOf(1, "status", STATUSES)
                .map(s -> InferenceBatch.Status.values()[STATUSES.indexOf(s)]));
    int page = ObjectReplies.page(filter, 2);
    boolean proofs = params.optionalBool(1, "withProofs").orElse(false);
    return ObjectReplies.page(
        page,
        ledger.inferenceBatches(matching, page * ObjectReplies.PAGE_SIZE, ObjectReplies.PAGE_SIZE),
        "batches",
        b -> replies.object(b, proofs, InferenceJson::batch));
  }

  private JsonNode getChallenge(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Hash id = params.hash(0, "challengeId");
    ReceiptChallenge challenge =
        ledger
            .receiptChallenge(id)
            .orElseThrow(
                () ->
                    ObjectReplies.notFound(
                        "no receipt challenge has the id " + id,
                        "a receipt's challenge id is on it in ascribe_getInferenceBatch"));
    return replies.object(
        challenge, params.optionalBool(1, "withProof").orElse(false), InferenceJson::challenge);
  }

  private JsonNode getFeeAuthorisations(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Address user = params.address(0, "user");
    FeeAuthorisationNonces nonces =
        ledger
            .feeAuthorisations(user)
            .orElseThrow(
                () ->
                    ObjectReplies.notFound(
                        user + " has never paid for an inference request",
                        "its first signed fee authorisation may use any nonce"));
    return replies.object(
        nonces,
        params.optionalBool(1, "withProof").orElse(false),
        InferenceJson::feeAuthorisations);
  }
}
