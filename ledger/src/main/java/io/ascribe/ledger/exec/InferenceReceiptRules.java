package io.ascribe.ledger.exec;

import io.ascribe.core.proto.InferenceReceipt;
import io.ascribe.core.tx.FeeAuthorisation;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.AiParams;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.AdapterRef;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.ai.WorkFeeSplitter;
import io.ascribe.ledger.state.HeldPayouts;
import io.ascribe.ledger.state.ValidatorSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Inference receipts and their challenges. An executor (a validator that declared the inference
 * capability) posts a batch of receipts; each receipt's fee is taken from its user's balance under
 * the user's signed authorisation and held, with the attribution record of who earns what, until
 * the challenge window closes; then {@link #settleDue} pays it out at the start of a block. Within
 * the window another capable validator may challenge one receipt with its own figures and a bond;
 * the other capable validators vote, and a majority of their power decides: an upheld challenge
 * refunds the user and slashes the executor's bond, a rejected one slashes the challenger's bond,
 * and no majority by the deadline returns the bond with nobody slashed. See
 * docs/adr/005-inference-receipts.md.
 */
final class InferenceReceiptRules {
  /** The most receipts one batch may carry. */
  static final int MAX_RECEIPTS = 64;

  /** The most retrieved contributions one receipt may score. */
  static final int MAX_SCORES = 32;

  private static final BigInteger TWO = BigInteger.TWO;

  private final AiParams ai;
  private final InferenceCapabilities capabilities;
  private final WorkFeeSplitter splitter;
  private final AuthorisedFees fees;
  private final ReceiptSettlement settlement;

  InferenceReceiptRules(long chainId, ProtocolParams params, InferenceCapabilities capabilities) {
    this.ai = params.ai();
    this.capabilities = capabilities;
    this.splitter = new WorkFeeSplitter(ai.workFeeSplit());
    this.fees = new AuthorisedFees(chainId, ai.inference().minRequestFee());
    this.settlement = new ReceiptSettlement(ai, capabilities, splitter);
  }

  // ---- SubmitInferenceReceipts ---------------------------------------------------------------

  void submit(TxContext tx) {
    List<InferenceReceipt> receipts = tx.body().getSubmitInferenceReceipts().getReceiptsList();
    if (receipts.isEmpty()) {
      throw new ActionFailedException("a receipt batch must hold at least one receipt");
    }
    if (receipts.size() > MAX_RECEIPTS) {
      throw new ActionFailedException(
          "a receipt batch holds at most "
              + MAX_RECEIPTS
              + " receipts, got "
              + receipts.size()
              + ": post them in several batches");
    }
    StateOverlay state = tx.state();
    requireCapable(state, tx.sender(), "post inference receipts");
    List<ReceiptRecord> records = new ArrayList<>(receipts.size());
    BigInteger charged = BigInteger.ZERO;
    for (int i = 0; i < receipts.size(); i++) {
      ReceiptRecord record;
      try {
        record = admit(tx, receipts.get(i));
      } catch (ActionFailedException | IllegalArgumentException e) {
        throw new ActionFailedException("receipt " + i + ": " + e.getMessage());
      }
      records.add(record);
      charged = charged.add(record.fee());
    }
    Hash id = tx.newObjectId("inference-batch");
    long settle = tx.height() + ai.inference().challengeWindowBlocks() + 1;
    state.put(
        new InferenceBatch(
            id,
            tx.sender(),
            tx.height(),
            settle,
            InferenceBatch.Status.HELD,
            records,
            new TreeSet<>()));
    HeldPayouts held = state.system().held();
    state.setSystem(state.system().withHeld(held.hold(charged).schedule(settle, id)));
  }

  /** Checks one receipt, charges its user and returns what the ledger keeps of it. */
  private ReceiptRecord admit(TxContext tx, InferenceReceipt receipt) {
    StateOverlay state = tx.state();
    Hash requestHash = TxContext.hash32(receipt.getRequestHash(), "request hash");
    Hash modelId = TxContext.hash32(receipt.getModel(), "model id");
    if (state.object(Model.key(modelId)).isEmpty()) {
      throw new ActionFailedException("unknown model " + modelId);
    }
    Optional<AdapterRef> adapter = Optional.empty();
    if (!receipt.getAdapter().isEmpty()) {
      Hash adapterId = TxContext.hash32(receipt.getAdapter(), "adapter id");
      AdapterRef found =
          capabilities
              .adapter(state, adapterId)
              .orElseThrow(() -> new ActionFailedException("unknown adapter " + adapterId));
      if (!found.baseModel().equals(modelId)) {
        throw new ActionFailedException(
            "adapter "
                + adapterId
                + " was tuned from model "
                + found.baseModel()
                + ", not the receipt's model "
                + modelId);
      }
      adapter = Optional.of(found);
    }
    Hash datanet = TxContext.hash32(receipt.getDatanet(), "datanet id");
    DataRules.datanet(state, datanet);
    List<AttributionScore> scores = AttributionScore.fromProtos(receipt.getScoresList());
    Map<Address, BigInteger> weights = checkScores(state, datanet, scores);
    Hash output = TxContext.hash32(receipt.getOutputHash(), "output hash");
    if (!receipt.hasAuthorisation()) {
      throw new ActionFailedException("the receipt carries no fee authorisation from its user");
    }
    FeeAuthorisation authorisation = fees.charge(tx, receipt.getAuthorisation(), requestHash);
    WorkFeeSplitter.Payout earnings =
        splitter.split(
            authorisation.fee(),
            new WorkFeeSplitter.Parties(
                weights,
                adapter.map(AdapterRef::fineTuner),
                Optional.of(tx.sender()),
                List.of(),
                new ValidatorSet(List.of())));
    return new ReceiptRecord(
        requestHash,
        modelId,
        adapter.map(AdapterRef::id),
        datanet,
        scores,
        output,
        authorisation.user(),
        authorisation.nonce(),
        authorisation.fee(),
        earnings.shares(),
        ReceiptRecord.Status.HELD,
        Optional.empty());
  }

  /**
   * Checks a receipt's (or a challenge's) scores against the datanet and returns each contributor's
   * positive weight: every scored contribution is distinct, active and in {@code datanet}, each
   * score is within ±1, and the positive scores sum to 1 within the genesis tolerance.
   */
  private Map<Address, BigInteger> checkScores(
      LedgerReader state, Hash datanet, List<AttributionScore> scores) {
    if (scores.isEmpty()) {
      throw new ActionFailedException("a receipt must score at least one retrieved contribution");
    }
    if (scores.size() > MAX_SCORES) {
      throw new ActionFailedException(
          "a receipt scores at most " + MAX_SCORES + " contributions, got " + scores.size());
    }
    Map<Address, BigInteger> weights = new TreeMap<>();
    HashSet<Hash> seen = new HashSet<>();
    for (AttributionScore score : scores) {
      Hash id = score.contribution();
      if (!seen.add(id)) {
        throw new ActionFailedException("contribution " + id + " is scored twice");
      }
      if (Math.abs(score.scorePpm()) > AttributionScore.ONE_PPM) {
        throw new ActionFailedException(
            "score "
                + score.scorePpm()
                + " ppm of contribution "
                + id
                + " is outside [-1000000, 1000000] ppm");
      }
      Contribution c =
          state
              .object(Contribution.key(id))
              .map(Contribution.class::cast)
              .orElseThrow(() -> new ActionFailedException("unknown contribution " + id));
      if (!c.datanet().equals(datanet)) {
        throw new ActionFailedException(
            "contribution " + id + " is in datanet " + c.datanet() + ", not datanet " + datanet);
      }
      if (c.status() != Contribution.Status.ACTIVE) {
        throw new ActionFailedException(
            "contribution "
                + id
                + " is "
                + c.status().name().toLowerCase(Locale.ROOT)
                + ": only active contributions can be scored");
      }
      if (score.scorePpm() > 0) {
        weights.merge(c.contributor(), BigInteger.valueOf(score.scorePpm()), BigInteger::add);
      }
    }
    long sum = AttributionScore.positiveSum(scores);
    long tolerance = ai.inference().scoreSumToleranceBps() * 100L;
    if (Math.abs(sum - AttributionScore.ONE_PPM) > tolerance) {
      throw new ActionFailedException(
          "positive attribution scores sum to "
              + sum
              + " ppm: they must sum to 1000000 ppm within "
              + tolerance
              + " ppm");
    }
    return weights;
  }

  // ---- ChallengeReceipt ----------------------------------------------------------------------

  void challenge(TxContext tx) {
    var challenge = tx.body().getChallengeReceipt();
    StateOverlay state = tx.state();
    InferenceBatch batch =
        ReceiptSettlement.batch(state, TxContext.hash32(challenge.getBatch(), "batch id"));
    long index = Integer.toUnsignedLong(challenge.getReceipt());
    if (index >= batch.receipts().size()) {
      throw new ActionFailedException(
          "batch "
              + batch.id()
              + " has "
              + batch.receipts().size()
              + " receipts: no receipt "
              + index);
    }
    requireCapable(state, tx.sender(), "challenge receipts");
    if (tx.sender().equals(batch.executor())) {
      throw new ActionFailedException("an executor cannot challenge its own receipts");
    }
    long windowEnd = batch.height() + ai.inference().challengeWindowBlocks();
    if (tx.height() > windowEnd || batch.status() != InferenceBatch.Status.HELD) {
      throw new ActionFailedException(
          "the challenge window of batch "
              + batch.id()
              + " closed at height "
              + windowEnd
              + ", now "
              + tx.height());
    }
    ReceiptRecord receipt = batch.receipts().get((int) index);
    if (receipt.status() != ReceiptRecord.Status.HELD) {
      throw new ActionFailedException(
          "receipt "
              + index
              + " of batch "
              + batch.id()
              + " was already challenged ("
              + receipt.challenge().map(Hash::toString).orElse("")
              + ")");
    }
    List<AttributionScore> scores = AttributionScore.fromProtos(challenge.getScoresList());
    checkScores(state, receipt.datanet(), scores);
    Hash output = TxContext.hash32(challenge.getOutputHash(), "output hash");
    if (output.equals(receipt.outputHash())
        && new HashSet<>(scores).equals(new HashSet<>(receipt.scores()))) {
      throw new ActionFailedException(
          "the challenge's figures agree with the receipt: there is nothing to challenge");
    }
    BigInteger bond = TxContext.amount(challenge.getBond(), "challenge bond");
    BigInteger minBond = ai.jobs().executorBond();
    if (bond.compareTo(minBond) < 0) {
      throw new ActionFailedException(
          "challenge bond "
              + Amount.formatOpen(bond)
              + " OPEN is below the executor bond "
              + Amount.formatOpen(minBond)
              + " OPEN a challenge must match");
    }
    if (voters(state, batch.executor(), tx.sender()).isEmpty()) {
      throw new ActionFailedException(
          "no other validator with the inference capability can vote on this challenge");
    }
    tx.debitSender(bond);
    Hash id = tx.newObjectId("receipt-challenge");
    state.put(
        new ReceiptChallenge(
            id,
            batch.id(),
            (int) index,
            tx.sender(),
            bond,
            scores,
            output,
            tx.height(),
            tx.height() + ai.inference().challengeWindowBlocks(),
            ReceiptChallenge.Status.OPEN,
            List.of(),
            0,
            BigInteger.ZERO));
    state.put(batch.withReceipt((int) index, receipt.challengedBy(id)));
    ReceiptSettlement.hold(state, bond);
  }

  // ---- VoteOnChallenge -----------------------------------------------------------------------

  void vote(TxContext tx) {
    var vote = tx.body().getVoteOnChallenge();
    StateOverlay state = tx.state();
    Hash id = TxContext.hash32(vote.getChallenge(), "challenge id");
    ReceiptChallenge challenge =
        state
            .object(ReceiptChallenge.key(id))
            .map(ReceiptChallenge.class::cast)
            .orElseThrow(() -> new ActionFailedException("unknown challenge " + id));
    if (challenge.status() != ReceiptChallenge.Status.OPEN) {
      throw new ActionFailedException(
          "challenge "
              + id
              + " is already decided ("
              + challenge.status().name().toLowerCase(Locale.ROOT)
              + ")");
    }
    if (tx.height() > challenge.deadline()) {
      throw new ActionFailedException(
          "voting on challenge "
              + id
              + " closed at height "
              + challenge.deadline()
              + ", now "
              + tx.height());
    }
    InferenceBatch batch = ReceiptSettlement.batch(state, challenge.batch());
    if (tx.sender().equals(batch.executor()) || tx.sender().equals(challenge.challenger())) {
      throw new ActionFailedException(
          "the executor and the challenger cannot vote on their own challenge");
    }
    requireCapable(state, tx.sender(), "vote on challenges");
    if (challenge.votedBy(tx.sender())) {
      throw new ActionFailedException(tx.sender() + " already voted on challenge " + id);
    }
    challenge = challenge.withVote(new ReceiptChallenge.Vote(tx.sender(), vote.getUphold()));
    Map<Address, BigInteger> voters = voters(state, batch.executor(), challenge.challenger());
    BigInteger total = voters.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    BigInteger uphold = BigInteger.ZERO;
    BigInteger reject = BigInteger.ZERO;
    for (ReceiptChallenge.Vote v : challenge.votes()) {
      BigInteger power = voters.getOrDefault(v.voter(), BigInteger.ZERO);
      if (v.uphold()) {
        uphold = uphold.add(power);
      } else {
        reject = reject.add(power);
      }
    }
    if (uphold.multiply(TWO).compareTo(total) > 0) {
      settlement.uphold(state, challenge, batch, tx.height());
    } else if (reject.multiply(TWO).compareTo(total) > 0) {
      settlement.reject(state, challenge, batch, tx.height());
    } else {
      state.put(challenge);
    }
  }

  /**
   * Who may vote on a challenge between {@code executor} and {@code challenger}, with their power:
   * the validators that declared the inference capability, the two parties left out.
   */
  private Map<Address, BigInteger> voters(
      LedgerReader state, Address executor, Address challenger) {
    Map<Address, BigInteger> voters = new HashMap<>();
    for (ValidatorSet.Validator v : state.system().validators().validators()) {
      if (!v.address().equals(executor)
          && !v.address().equals(challenger)
          && capabilities.executorBond(state, v.address()).isPresent()) {
        voters.put(v.address(), v.power());
      }
    }
    return voters;
  }

  // ---- settlement at block start -------------------------------------------------------------

  /** See {@link ReceiptSettlement#settleDue}. */
  void settleDue(StateOverlay state, long height) {
    settlement.settleDue(state, height);
  }

  // ---- shared checks -------------------------------------------------------------------------

  /** Fails unless {@code account} is a validator that declared the inference capability. */
  private void requireCapable(LedgerReader state, Address account, String action) {
    if (capabilities.executorBond(state, account).isEmpty()) {
      throw new ActionFailedException(
          account
              + " has not declared the inference capability: only validators that did, with the"
              + " executor bond, may "
              + action);
    }
    if (state.system().validators().find(account).isEmpty()) {
      throw new ActionFailedException(
          account
              + " is not a validator: only validators that declared the inference capability may "
              + action);
    }
  }
}
