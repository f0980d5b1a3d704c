package io.ascribe.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.proto.Block;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.CommitSig;
import io.ascribe.core.proto.Header;
import io.ascribe.core.proto.SignedTx;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.core.types.Hex;
import io.ascribe.core.types.Quantities;
import io.ascribe.ledger.exec.TxReceipt;
import java.util.Optional;

/** The JSON shapes of blocks, transactions and receipts in the RPC, Ethereum-style. */
public final class ChainJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ChainJson() {}

  /** A block header with its hash: what {@code newHeads} subscribers receive. */
  public static ObjectNode header(Header header, Hash hash) {
    ObjectNode out = F.objectNode();
    out.put("number", Quantities.toHex(header.getHeight()));
    out.put("hash", hash.toHex());
    out.put("parentHash", Hex.encode(header.getParentHash().toByteArray()));
    out.put("timestamp", Quantities.toHex(header.getTimeMs()));
    out.put("chainId", Quantities.toHex(header.getChainId()));
    out.put("txRoot", Hex.encode(header.getTxRoot().toByteArray()));
    out.put("stateRoot", Hex.encode(header.getStateRoot().toByteArray()));
    out.put("validatorsHash", Hex.encode(header.getValidatorsHash().toByteArray()));
    if (!header.getRewardsRoot().isEmpty()) {
      out.put("rewardsRoot", Hex.encode(header.getRewardsRoot().toByteArray()));
    }
    out.put(
        "proposer",
        header.getProposer().isEmpty()
            ? null
            : Address.wrap(header.getProposer().toByteArray()).toString());
    return out;
  }

  /** A block, with transaction hashes or whole transactions, and its commit signatures. */
  public static ObjectNode block(Block block, Hash hash, Optional<Commit> commit, boolean fullTxs) {
    ObjectNode out = header(block.getHeader(), hash);
    var txs = out.putArray("transactions");
    for (SignedTx envelope : block.getTxsList()) {
      SignedTransaction tx = SignedTransaction.decode(envelope);
      if (fullTxs) {
        txs.add(transaction(tx));
      } else {
        txs.add(tx.hash().toHex());
      }
    }
    commit.ifPresent(
        c -> {
          ObjectNode json = out.putObject("commit");
          json.put("round", c.getRound());
          var signatures = json.putArray("signatures");
          for (CommitSig sig : c.getSignaturesList()) {
            ObjectNode s = signatures.addObject();
            s.put("validator", Address.wrap(sig.getValidator().toByteArray()).toString());
            s.put("signature", Hex.encode(sig.getSignature().toByteArray()));
            if (!sig.getEpochRootSignature().isEmpty()) {
              s.put("epochRootSignature", Hex.encode(sig.getEpochRootSignature().toByteArray()));
            }
          }
        });
    return out;
  }

  public static ObjectNode transaction(SignedTransaction tx) {
    TxBody body = tx.body();
    ObjectNode out = F.objectNode();
    out.put("hash", tx.hash().toHex());
    out.put("from", tx.sender().toString());
    out.put("chainId", Quantities.toHex(body.getChainId()));
    out.put("nonce", Quantities.toHex(body.getNonce()));
    out.put("fee", Quantities.toHex(Amount.decode(body.getFee().toByteArray(), "fee")));
    switch (body.getKindCase()) {
      case TRANSFER -> {
        out.put("type", "transfer");
        out.put("to", Address.wrap(body.getTransfer().getTo().toByteArray()).toString());
        out.put(
            "amount",
            Quantities.toHex(
                Amount.decode(body.getTransfer().getAmount().toByteArray(), "amount")));
      }
      case STAKE -> {
        out.put("type", "stake");
        out.put(
            "amount",
            Quantities.toHex(Amount.decode(body.getStake().getAmount().toByteArray(), "amount")));
      }
      case UNSTAKE -> {
        out.put("type", "unstake");
        out.put(
            "amount",
            Quantities.toHex(Amount.decode(body.getUnstake().getAmount().toByteArray(), "amount")));
      }
      case CREATE_DATANET -> {
        out.put("type", "createDatanet");
        out.put("name", body.getCreateDatanet().getName());
      }
      case CONTRIBUTE -> {
        out.put("type", "contribute");
        out.put("datanet", Hash.copyOf(body.getContribute().getDatanet().toByteArray()).toHex());
        out.put(
            "contentHash",
            Hash.copyOf(body.getContribute().getContentHash().toByteArray()).toHex());
        out.put(
            "bond",
            Quantities.toHex(Amount.decode(body.getContribute().getBond().toByteArray(), "bond")));
      }
      case WITHDRAW_CONTRIBUTION -> {
        out.put("type", "withdrawContribution");
        out.put(
            "contribution",
            Hash.copyOf(body.getWithdrawContribution().getContribution().toByteArray()).toHex());
      }
      case REGISTER_MODEL -> {
        out.put("type", "registerModel");
        out.put("architecture", body.getRegisterModel().getArchitecture());
        out.put("licence", body.getRegisterModel().getLicence());
      }
      case DECLARE_CAPABILITY ->
          out.put(
              "type",
              body.getDeclareCapability().getUndeclare()
                  ? "undeclareCapability"
                  : "declareCapability");
      case SUBMIT_TUNING_JOB -> {
        out.put("type", "submitTuningJob");
        out.put(
            "baseModel",
            Hash.copyOf(body.getSubmitTuningJob().getBaseModel().toByteArray()).toHex());
        out.put(
            "datanet", Hash.copyOf(body.getSubmitTuningJob().getDatanet().toByteArray()).toHex());
        out.put(
            "escrow",
            Quantities.toHex(
                Amount.decode(body.getSubmitTuningJob().getEscrow().toByteArray(), "escrow")));
        out.put("deadline", Quantities.toHex(body.getSubmitTuningJob().getDeadline()));
      }
      case POST_TUNING_RESULT -> {
        out.put("type", "postTuningResult");
        out.put("job", Hash.copyOf(body.getPostTuningResult().getJob().toByteArray()).toHex());
        out.put(
            "adapterHash",
            Hash.copyOf(body.getPostTuningResult().getAdapterHash().toByteArray()).toHex());
      }
      case ATTEST -> {
        out.put("type", body.getAttest().getChallenge() ? "challenge" : "attest");
        out.put("job", Hash.copyOf(body.getAttest().getJob().toByteArray()).toHex());
        out.put(
            "verdict",
            body.getAttest().getVerdict() == io.ascribe.core.proto.Verdict.VERDICT_ACCEPT
                ? "accept"
                : "reject");
      }
      case SUBMIT_INFERENCE_RECEIPTS -> {
        out.put("type", "submitInferenceReceipts");
        out.put("receipts", body.getSubmitInferenceReceipts().getReceiptsCount());
      }
      case CHALLENGE_RECEIPT -> {
        out.put("type", "challengeReceipt");
        out.put("batch", Hash.copyOf(body.getChallengeReceipt().getBatch().toByteArray()).toHex());
        out.put("receipt", Integer.toUnsignedLong(body.getChallengeReceipt().getReceipt()));
        out.put(
            "bond",
            Quantities.toHex(
                Amount.decode(body.getChallengeReceipt().getBond().toByteArray(), "bond")));
      }
      case VOTE_ON_CHALLENGE -> {
        out.put("type", "voteOnChallenge");
        out.put(
            "challenge",
            Hash.copyOf(body.getVoteOnChallenge().getChallenge().toByteArray()).toHex());
        out.put("uphold", body.getVoteOnChallenge().getUphold());
      }
      case SUBMIT_EVIDENCE -> {
        out.put("type", "submitEvidence");
        evidence(body.getSubmitEvidence(), out);
      }
      case ATTEST_DEPOSIT -> {
        var attest = body.getAttestDeposit();
        out.put("type", "attestDeposit");
        out.put("evmChainId", Quantities.toHex(attest.getEvmChainId()));
        out.put("bridge", Address.wrap(attest.getBridge().toByteArray()).toString());
        out.put("deposit", Quantities.toHex(attest.getDeposit()));
        out.put("recipient", Address.wrap(attest.getRecipient().toByteArray()).toString());
        out.put(
            "amount", Quantities.toHex(Amount.decode(attest.getAmount().toByteArray(), "amount")));
        out.put("evmTxHash", Hash.copyOf(attest.getEvmTxHash().toByteArray()).toHex());
      }
      case WITHDRAW_TO_EVM -> {
        out.put("type", "withdrawToEvm");
        out.put(
            "amount",
            Quantities.toHex(
                Amount.decode(body.getWithdrawToEvm().getAmount().toByteArray(), "amount")));
      }
      case KIND_NOT_SET -> out.put("type", "unknown");
    }
    return out;
  }

  /** Who is accused of which double sign (fields as carried, checked or not). */
  private static void evidence(SubmitEvidence evidence, ObjectNode out) {
    switch (evidence.getKindCase()) {
      case DOUBLE_VOTE -> {
        var vote = evidence.getDoubleVote().getFirst().getVote();
        out.put("evidence", "doubleVote");
        out.put("accused", address(evidence.getDoubleVote().getValidator()));
        out.put("height", Quantities.toHex(vote.getHeight()));
        out.put("round", vote.getRound());
      }
      case DOUBLE_PROPOSAL -> {
        var proposal = evidence.getDoubleProposal().getFirst();
        out.put("evidence", "doubleProposal");
        out.put("accused", address(evidence.getDoubleProposal().getValidator()));
        out.put("height", Quantities.toHex(proposal.getHeight()));
        out.put("round", proposal.getRound());
      }
      case KIND_NOT_SET -> out.put("evidence", "none");
    }
  }

  private static String address(com.google.protobuf.ByteString bytes) {
    return bytes.size() == Address.SIZE
        ? Address.wrap(bytes.toByteArray()).toString()
        : Hex.encode(bytes.toByteArray());
  }

  public static ObjectNode receipt(TxReceipt receipt, Hash blockHash) {
    ObjectNode out = F.objectNode();
    out.put("transactionHash", receipt.txHash().toHex());
    out.put("blockNumber", Quantities.toHex(receipt.height()));
    out.put("blockHash", blockHash.toHex());
    out.put("transactionIndex", Quantities.toHex(receipt.index()));
    out.put("from", receipt.sender().toString());
    out.put("status", receipt.success() ? "success" : "failed");
    out.put("error", receipt.error().isEmpty() ? null : receipt.error());
    out.put("feePaid", Quantities.toHex(receipt.feePaid()));
    return out;
  }
}
