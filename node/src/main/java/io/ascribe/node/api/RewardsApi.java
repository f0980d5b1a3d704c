package io.ascribe.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.contracts.settlement.ValidatorSignatures;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.EpochRewards;
import io.ascribe.ledger.ai.RewardProof;
import io.ascribe.ledger.ai.ValidatorSetUpdate;
import io.ascribe.node.rpc.Params;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rewards methods: what an account has earned, each ended epoch's root with the validators'
 * EIP-712 signatures from the block's commit, and an account's claim proof: everything a wallet
 * needs to claim on the EVM distributor and a relayer needs to submit a root, from any node.
 */
public final class RewardsApi {

  /** How many ended epochs {@code ascribe_getRewards} lists, newest first. */
  static final int HISTORY = 64;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Ledger ledger;

  public RewardsApi(Ledger ledger) {
    this.ledger = ledger;
  }

  public void register(RpcRegistry registry) {
    registry
        .register("ascribe_getRewards", this::getRewards)
        .register("ascribe_getEpochRoot", this::getEpochRoot)
        .register("ascribe_getRewardProof", this::getRewardProof)
        .register("ascribe_getValidatorSetUpdates", this::getValidatorSetUpdates);
  }

  /** The latest ended epoch, 0 before the first ends. */
  private long latestEpoch() {
    return ledger.height() / ledger.genesis().params().epochLength();
  }

  private JsonNode getRewards(JsonNode raw) {
    Params params = Params.of(raw).atMost(1);
    Address account = params.address(0, "address");
    long latest = latestEpoch();
    ObjectNode out = F.objectNode();
    out.put("account", account.toString());
    out.put("cumulative", Quantities.toHex(ledger.rewards(account)));
    out.put("latestEpoch", Quantities.toHex(latest));
    var epochs = out.putArray("epochs");
    for (long epoch = latest; epoch >= 1 && epoch > latest - HISTORY; epoch--) {
      EpochRewards rewards = ledger.epochRewards(epoch).orElseThrow();
      BigInteger cumulative = rewards.cumulative(account);
      if (cumulative.signum() == 0) {
        break; // cumulative amounts never fall, so no earlier epoch has any either
      }
      epochs
          .addObject()
          .put("epoch", Quantities.toHex(epoch))
          .put("height", Quantities.toHex(rewards.height()))
          .put("cumulative", Quantities.toHex(cumulative));
    }
    return out;
  }

  private JsonNode getEpochRoot(JsonNode raw) {
    Params params = Params.of(raw).atMost(1);
    return epochRoot(ended(epoch(params, 0)));
  }

  private JsonNode getRewardProof(JsonNode raw) {
    Params params = Params.of(raw).atMost(2);
    Address account = params.address(0, "address");
    EpochRewards rewards = ended(epoch(params, 1));
    RewardProof proof =
        rewards
            .proof(account)
            .orElseThrow(
                () ->
                    new RpcException(
                        ChainApi.NOT_FOUND,
                        account
                            + " had earned nothing by the end of epoch "
                            + rewards.epoch()
                            + ": ascribe_getRewards shows what it has"));
    ObjectNode out = epochRoot(rewards);
    out.put("account", account.toString());
    out.put("cumulativeAmount", Quantities.toHex(proof.cumulative()));
    var siblings = out.putArray("proof");
    proof.siblings().forEach(h -> siblings.add(h.toHex()));
    return out;
  }

  /** Parameter {@code index}: an epoch number as a hex quantity, or "latest" (the last ended). */
  private long epoch(Params params, int index) {
    JsonNode value = params.raw(index, "epoch");
    return value.isTextual() && value.textValue().equals("latest")
        ? latestEpoch()
        : params.quantity(index, "epoch");
  }

  private EpochRewards ended(long epoch) {
    long latest = latestEpoch();
    if (epoch < 1 || epoch > latest) {
      long length = ledger.genesis().params().epochLength();
      throw new RpcException(
          ChainApi.NOT_FOUND,
          "epoch "
              + epoch
              + (epoch < 1 ? " does not exist (epochs count from 1)" : " has not ended")
              + ": the latest ended epoch is "
              + latest
              + " (an epoch ends every "
              + length
              + " blocks; the chain is at block "
              + ledger.height()
              + ")");
    }
    return ledger.epochRewards(epoch).orElseThrow();
  }

  /** How many updates one {@code ascribe_getValidatorSetUpdates} answer holds at most. */
  static final int UPDATES_PER_CALL = 64;

  /**
   * {@code ascribe_getValidatorSetUpdates(fromNonce)}: the committed EVM validator-set updates from
   * that nonce on (the distributor's {@code validatorSetNonce} is the first it lacks), each with
   * the set (addresses ascending, powers in whole OPEN) and the outgoing set's signatures from the
   * commit of the block that announced it, as {@code updateValidatorSet} takes them (docs/adr/008).
   */
  private JsonNode getValidatorSetUpdates(JsonNode raw) {
    Params params = Params.of(raw).atMost(1);
    long from = params.optionalQuantity(0, "fromNonce").orElse(0L);
    long count = ledger.validatorSetUpdates();
    ObjectNode out = F.objectNode();
    out.put("count", Quantities.toHex(count));
    settlement(out);
    var updates = out.putArray("updates");
    for (long nonce = from; nonce < count && nonce < from + UPDATES_PER_CALL; nonce++) {
      ValidatorSetUpdate update = ledger.validatorSetUpdate(nonce).orElseThrow();
      ObjectNode u = updates.addObject();
      u.put("nonce", Quantities.toHex(update.nonce()));
      u.put("height", Quantities.toHex(update.height()));
      u.put("validatorSetHash", update.validators().hash().toHex());
      var validators = u.putArray("validators");
      update.validators().validators().forEach(a -> validators.add(a.toString()));
      var powers = u.putArray("powers");
      update.validators().powers().forEach(p -> powers.add(Quantities.toHex(p)));
      signatures(u, update.height());
    }
    return out;
  }

  private void settlement(ObjectNode out) {
    ledger
        .genesis()
        .settlement()
        .ifPresentOrElse(
            s ->
                out.putObject("settlement")
                    .put("evmChainId", Quantities.toHex(s.evmChainId()))
                    .put("distributor", s.distributor().toString()),
            () -> out.putNull("settlement"));
  }

  /**
   * The commit's signatures beside the precommits of block {@code height} (its epoch root or
   * validator-set update), 65 bytes each with v = 27 or 28, in ascending order of signer.
   */
  private void signatures(ObjectNode out, long height) {
    List<CommitSig> signed = new ArrayList<>();
    for (CommitSig sig : ledger.commitOf(height).orElseThrow().getSignaturesList()) {
      if (!sig.getEpochRootSignature().isEmpty()) {
        signed.add(sig);
      }
    }
    signed.sort(Comparator.comparing(sig -> Address.wrap(sig.getValidator().toByteArray())));
    var signers = out.putArray("signers");
    var signatures = out.putArray("signatures");
    for (CommitSig sig : signed) {
      signers.add(Address.wrap(sig.getValidator().toByteArray()).toString());
      Signature signature = Signature.fromBytes(sig.getEpochRootSignature().toByteArray());
      signatures.add(Hex.encode(ValidatorSignatures.toEvm(signature)));
    }
  }

  /**
   * The epoch's EpochRoot and the validators' signatures over it, 65 bytes each with v = 27 or 28
   * and in ascending order of signer, as {@code submitEpoch} takes them.
   */
  private ObjectNode epochRoot(EpochRewards rewards) {
    ObjectNode out = F.objectNode();
    out.put("epoch", Quantities.toHex(rewards.epoch()));
    out.put("height", Quantities.toHex(rewards.height()));
    out.put("root", rewards.root().toHex());
    out.put("validatorSetHash", rewards.validatorSetHash().toHex());
    settlement(out);
    signatures(out, rewards.height());
    return out;
  }
}
