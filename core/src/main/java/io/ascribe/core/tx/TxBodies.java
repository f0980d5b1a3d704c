package io.ascribe.core.tx;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.Attest;
import io.ascribe.core.proto.AttestDeposit;
import io.ascribe.core.proto.AttributionScore;
import io.ascribe.core.proto.ChallengeReceipt;
import io.ascribe.core.proto.Contribute;
import io.ascribe.core.proto.CreateDatanet;
import io.ascribe.core.proto.DatanetRules;
import io.ascribe.core.proto.DeclareCapability;
import io.ascribe.core.proto.EvalMetrics;
import io.ascribe.core.proto.FeeAuthorisation;
import io.ascribe.core.proto.Hyperparameters;
import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.proto.InfluenceScore;
import io.ascribe.core.proto.PostTuningResult;
import io.ascribe.core.proto.RegisterModel;
import io.ascribe.core.proto.Stake;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.core.proto.SubmitInferenceReceipts;
import io.ascribe.core.proto.SubmitTuningJob;
import io.ascribe.core.proto.Transfer;
import io.ascribe.core.proto.TuningMethod;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.proto.Unstake;
import io.ascribe.core.proto.Verdict;
import io.ascribe.core.proto.VoteOnChallenge;
import io.ascribe.core.proto.WithdrawContribution;
import io.ascribe.core.proto.WithdrawToEvm;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the bodies of the ledger's transactions; sign them with {@link SignedTransaction#sign}.
 */
public final class TxBodies {
  private TxBodies() {}

  public static TxBody transfer(
      long chainId, long nonce, BigInteger fee, Address to, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setTransfer(
            Transfer.newBuilder()
                .setTo(ByteString.copyFrom(to.toArray()))
                .setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }

  public static TxBody stake(long chainId, long nonce, BigInteger fee, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setStake(Stake.newBuilder().setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }

  public static TxBody unstake(long chainId, long nonce, BigInteger fee, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setUnstake(Unstake.newBuilder().setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }

  public static TxBody createDatanet(
      long chainId, long nonce, BigInteger fee, String name, DatanetRules rules) {
    return header(chainId, nonce, fee)
        .setCreateDatanet(CreateDatanet.newBuilder().setName(name).setRules(rules))
        .build();
  }

  public static DatanetRules datanetRules(
      BigInteger minBond, String schemaId, int nearDuplicateBps) {
    return DatanetRules.newBuilder()
        .setMinBond(ByteString.copyFrom(Amount.encode(minBond)))
        .setSchemaId(schemaId)
        .setNearDuplicateBps(nearDuplicateBps)
        .build();
  }

  public static TxBody contribute(
      long chainId,
      long nonce,
      BigInteger fee,
      Hash datanet,
      Hash contentHash,
      long size,
      long[] minhash,
      BigInteger bond) {
    Contribute.Builder contribute =
        Contribute.newBuilder()
            .setDatanet(ByteString.copyFrom(datanet.toArray()))
            .setContentHash(ByteString.copyFrom(contentHash.toArray()))
            .setSize(size)
            .setBond(ByteString.copyFrom(Amount.encode(bond)));
    for (long value : minhash) {
      contribute.addMinhash(value);
    }
    return header(chainId, nonce, fee).setContribute(contribute).build();
  }

  public static TxBody withdrawContribution(
      long chainId, long nonce, BigInteger fee, Hash contribution) {
    return header(chainId, nonce, fee)
        .setWithdrawContribution(
            WithdrawContribution.newBuilder()
                .setContribution(ByteString.copyFrom(contribution.toArray())))
        .build();
  }

  public static TxBody registerModel(
      long chainId,
      long nonce,
      BigInteger fee,
      Hash weightsHash,
      Hash configHash,
      String architecture,
      String licence) {
    return header(chainId, nonce, fee)
        .setRegisterModel(
            RegisterModel.newBuilder()
                .setWeightsHash(ByteString.copyFrom(weightsHash.toArray()))
                .setConfigHash(ByteString.copyFrom(configHash.toArray()))
                .setArchitecture(architecture)
                .setLicence(licence))
        .build();
  }

  /** Declares the inference capability, bonding {@code ai.jobs.executorBond}. */
  public static TxBody declareCapability(long chainId, long nonce, BigInteger fee) {
    return header(chainId, nonce, fee)
        .setDeclareCapability(DeclareCapability.getDefaultInstance())
        .build();
  }

  /** Gives the inference capability up; the bond returns once the signer's jobs are over. */
  public static TxBody undeclareCapability(long chainId, long nonce, BigInteger fee) {
    return header(chainId, nonce, fee)
        .setDeclareCapability(DeclareCapability.newBuilder().setUndeclare(true))
        .build();
  }

  /**
   * What a tuning job asks for (see {@code SubmitTuningJob} in ascribe.proto for each field's
   * rules); pass it to {@link #submitTuningJob}.
   */
  public static SubmitTuningJob tuningJob(
      Hash baseModel,
      Hash datanet,
      TuningMethod method,
      Hyperparameters hyperparameters,
      long seed,
      int evalBps,
      BigInteger escrow,
      long deadline) {
    return SubmitTuningJob.newBuilder()
        .setBaseModel(ByteString.copyFrom(baseModel.toArray()))
        .setDatanet(ByteString.copyFrom(datanet.toArray()))
        .setMethod(method)
        .setHyperparameters(hyperparameters)
        .setSeed(seed)
        .setEvalBps(evalBps)
        .setEscrow(ByteString.copyFrom(Amount.encode(escrow)))
        .setDeadline(deadline)
        .build();
  }

  /** Hyperparameters; the learning rate is fixed-point, times 10^9. */
  public static Hyperparameters hyperparameters(
      int rank, int alpha, long learningRateE9, int epochs, int batchSize) {
    return Hyperparameters.newBuilder()
        .setRank(rank)
        .setAlpha(alpha)
        .setLearningRateE9(learningRateE9)
        .setEpochs(epochs)
        .setBatchSize(batchSize)
        .build();
  }

  public static TxBody submitTuningJob(
      long chainId, long nonce, BigInteger fee, SubmitTuningJob job) {
    return header(chainId, nonce, fee).setSubmitTuningJob(job).build();
  }

  /**
   * The executor's result for {@code job}: figures fixed-point times 10^9, and each trained-on
   * contribution's signed influence score. Signed by the executor, as every transaction is.
   */
  public static TxBody postTuningResult(
      long chainId,
      long nonce,
      BigInteger fee,
      Hash job,
      Hash adapterHash,
      long finalLossE9,
      EvalMetrics eval,
      Map<Hash, Long> influence) {
    PostTuningResult.Builder result =
        PostTuningResult.newBuilder()
            .setJob(ByteString.copyFrom(job.toArray()))
            .setAdapterHash(ByteString.copyFrom(adapterHash.toArray()))
            .setFinalLossE9(finalLossE9)
            .setEval(eval);
    influence.forEach(
        (contribution, score) ->
            result.addInfluence(
                InfluenceScore.newBuilder()
                    .setContribution(ByteString.copyFrom(contribution.toArray()))
                    .setScoreE9(score)));
    return header(chainId, nonce, fee).setPostTuningResult(result).build();
  }

  /** Evaluation figures, fixed-point times 10^9. */
  public static EvalMetrics evalMetrics(long evalLossE9, long rougeLE9) {
    return EvalMetrics.newBuilder().setEvalLossE9(evalLossE9).setRougeLE9(rougeLE9).build();
  }

  /** A verifier accepts {@code job}'s result (or votes to uphold it in a dispute). */
  public static TxBody accept(long chainId, long nonce, BigInteger fee, Hash job) {
    return header(chainId, nonce, fee)
        .setAttest(
            Attest.newBuilder()
                .setJob(ByteString.copyFrom(job.toArray()))
                .setVerdict(Verdict.VERDICT_ACCEPT))
        .build();
  }

  /** A verifier rejects {@code job}'s result (or votes against it in a dispute). */
  public static TxBody reject(
      long chainId, long nonce, BigInteger fee, Hash job, EvalMetrics recomputed) {
    return header(chainId, nonce, fee).setAttest(rejection(job, recomputed)).build();
  }

  /** A capable validator disputes {@code job}'s accepted result within its challenge window. */
  public static TxBody challenge(
      long chainId, long nonce, BigInteger fee, Hash job, EvalMetrics recomputed) {
    return header(chainId, nonce, fee)
        .setAttest(rejection(job, recomputed).toBuilder().setChallenge(true))
        .build();
  }

  private static Attest rejection(Hash job, EvalMetrics recomputed) {
    return Attest.newBuilder()
        .setJob(ByteString.copyFrom(job.toArray()))
        .setVerdict(Verdict.VERDICT_REJECT)
        .setRecomputed(recomputed)
        .build();
  }

  private static TxBody.Builder header(long chainId, long nonce, BigInteger fee) {
    return TxBody.newBuilder()
        .setChainId(chainId)
        .setNonce(nonce)
        .setFee(ByteString.copyFrom(Amount.encode(fee)));
  }

  /** A retrieved contribution's attribution score, in signed parts per million. */
  public static AttributionScore attributionScore(Hash contribution, long scorePpm) {
    return AttributionScore.newBuilder()
        .setContribution(ByteString.copyFrom(contribution.toArray()))
        .setScorePpm(scorePpm)
        .build();
  }

  /**
   * One served answer's receipt, paid by {@code authorisation} (see {@link
   * io.ascribe.core.tx.FeeAuthorisation#signed}); {@code adapter} is empty when the base model
   * answered alone.
   */
  public static InferenceReceipt inferenceReceipt(
      Hash requestHash,
      Hash model,
      Optional<Hash> adapter,
      Hash datanet,
      List<AttributionScore> scores,
      Hash outputHash,
      FeeAuthorisation authorisation) {
    InferenceReceipt.Builder receipt =
        InferenceReceipt.newBuilder()
            .setRequestHash(ByteString.copyFrom(requestHash.toArray()))
            .setModel(ByteString.copyFrom(model.toArray()))
            .setDatanet(ByteString.copyFrom(datanet.toArray()))
            .addAllScores(scores)
            .setOutputHash(ByteString.copyFrom(outputHash.toArray()))
            .setAuthorisation(authorisation);
    adapter.ifPresent(a -> receipt.setAdapter(ByteString.copyFrom(a.toArray())));
    return receipt.build();
  }

  public static TxBody submitInferenceReceipts(
      long chainId, long nonce, BigInteger fee, List<InferenceReceipt> receipts) {
    return header(chainId, nonce, fee)
        .setSubmitInferenceReceipts(SubmitInferenceReceipts.newBuilder().addAllReceipts(receipts))
        .build();
  }

  /**
   * Challenges receipt {@code receipt} of {@code batch} with the figures the challenger's own
   * re-execution produced, bonding {@code bond}.
   */
  public static TxBody challengeReceipt(
      long chainId,
      long nonce,
      BigInteger fee,
      Hash batch,
      int receipt,
      List<AttributionScore> scores,
      Hash outputHash,
      BigInteger bond) {
    return header(chainId, nonce, fee)
        .setChallengeReceipt(
            ChallengeReceipt.newBuilder()
                .setBatch(ByteString.copyFrom(batch.toArray()))
                .setReceipt(receipt)
                .addAllScores(scores)
                .setOutputHash(ByteString.copyFrom(outputHash.toArray()))
                .setBond(ByteString.copyFrom(Amount.encode(bond))))
        .build();
  }

  public static TxBody voteOnChallenge(
      long chainId, long nonce, BigInteger fee, Hash challenge, boolean uphold) {
    return header(chainId, nonce, fee)
        .setVoteOnChallenge(
            VoteOnChallenge.newBuilder()
                .setChallenge(ByteString.copyFrom(challenge.toArray()))
                .setUphold(uphold))
        .build();
  }

  /** Evidence of a double sign; see {@code SubmitEvidence} in ascribe.proto. */
  public static TxBody submitEvidence(
      long chainId, long nonce, BigInteger fee, SubmitEvidence evidence) {
    return header(chainId, nonce, fee).setSubmitEvidence(evidence).build();
  }

  /** A validator's attestation of an OpenBridge deposit (see the ledger's {@code EvmDeposit}). */
  public static TxBody attestDeposit(
      long chainId, long nonce, BigInteger fee, AttestDeposit attestation) {
    return header(chainId, nonce, fee).setAttestDeposit(attestation).build();
  }

  public static TxBody withdrawToEvm(long chainId, long nonce, BigInteger fee, BigInteger amount) {
    return header(chainId, nonce, fee)
        .setWithdrawToEvm(
            WithdrawToEvm.newBuilder().setAmount(ByteString.copyFrom(Amount.encode(amount))))
        .build();
  }
}
