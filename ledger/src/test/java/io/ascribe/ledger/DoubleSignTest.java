package io.ascribe.ledger;

import static io.ascribe.core.proto.VoteType.VOTE_TYPE_PRECOMMIT;
import static io.ascribe.core.proto.VoteType.VOTE_TYPE_PREVOTE;
import static io.ascribe.ledger.Equivocations.block;
import static io.ascribe.ledger.Equivocations.doubleProposal;
import static io.ascribe.ledger.Equivocations.doubleVote;
import static io.ascribe.ledger.Equivocations.proposal;
import static io.ascribe.ledger.Equivocations.vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.EvidenceVote;
import io.ascribe.core.proto.SubmitEvidence;
import io.ascribe.ledger.ai.ValidatorRecord;
import io.ascribe.ledger.exec.ActionFailedException;
import io.ascribe.ledger.exec.DoubleSign;
import org.junit.jupiter.api.Test;

/** What evidence proves by itself, before any state is consulted: the checks of each field. */
class DoubleSignTest {
  private static final long CHAIN = 4242;
  private static final PrivateKey SIGNER = LedgerFixture.key(9);
  private static final PrivateKey OTHER = LedgerFixture.key(10);

  private static void assertRefused(SubmitEvidence evidence, String message) {
    assertThatThrownBy(() -> DoubleSign.of(CHAIN, evidence))
        .isInstanceOf(ActionFailedException.class)
        .hasMessageContaining(message);
  }

  @Test
  void twoPrevotesForDifferentBlocksAreADoubleSign() {
    assertThat(DoubleSign.of(CHAIN, Equivocations.doublePrevote(SIGNER, CHAIN, 7, 2)))
        .isEqualTo(new DoubleSign(SIGNER.address(), 7, 2, ValidatorRecord.Step.PREVOTE));
  }

  @Test
  void aPrecommitForABlockAndOneForNilAreADoubleSign() {
    SubmitEvidence evidence =
        doubleVote(
            SIGNER.address(),
            vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PRECOMMIT, block(1)),
            vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PRECOMMIT, null));
    assertThat(DoubleSign.of(CHAIN, evidence))
        .isEqualTo(new DoubleSign(SIGNER.address(), 7, 0, ValidatorRecord.Step.PRECOMMIT));
  }

  @Test
  void twoProposalsForDifferentBlocksAreADoubleSign() {
    SubmitEvidence evidence =
        doubleProposal(
            SIGNER.address(),
            proposal(SIGNER, CHAIN, 7, 1, block(1), -1),
            proposal(SIGNER, CHAIN, 7, 1, block(2), 0));
    assertThat(DoubleSign.of(CHAIN, evidence))
        .isEqualTo(new DoubleSign(SIGNER.address(), 7, 1, ValidatorRecord.Step.PROPOSAL));
  }

  @Test
  void votesForTheSameBlockAreNoDoubleSign() {
    EvidenceVote one = vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1));
    assertRefused(doubleVote(SIGNER.address(), one, one), "same block");
  }

  @Test
  void votesOfDifferentHeightsRoundsOrTypesAreNoDoubleSign() {
    EvidenceVote base = vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1));
    assertRefused(
        doubleVote(SIGNER.address(), base, vote(SIGNER, CHAIN, 8, 0, VOTE_TYPE_PREVOTE, block(2))),
        "different steps");
    assertRefused(
        doubleVote(SIGNER.address(), base, vote(SIGNER, CHAIN, 7, 1, VOTE_TYPE_PREVOTE, block(2))),
        "different steps");
    assertRefused(
        doubleVote(
            SIGNER.address(), base, vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PRECOMMIT, block(2))),
        "different steps");
  }

  @Test
  void aVoteSignedByAnotherKeyDoesNotConvictTheAccused() {
    SubmitEvidence forged =
        doubleVote(
            SIGNER.address(),
            vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1)),
            vote(OTHER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(2)));
    assertRefused(forged, "second vote was signed by " + OTHER.address() + ", not by the accused");
  }

  @Test
  void aVoteChangedAfterSigningDoesNotConvictItsSigner() {
    EvidenceVote honest = vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1));
    EvidenceVote altered =
        honest.toBuilder()
            .setVote(
                honest.getVote().toBuilder().setBlockHash(ByteString.copyFrom(block(2).toArray())))
            .build();
    assertRefused(doubleVote(SIGNER.address(), honest, altered), "not by the accused");
  }

  @Test
  void malformedSignaturesAndAccusedAreRefusedByName() {
    EvidenceVote good = vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1));
    EvidenceVote truncated =
        vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(2)).toBuilder()
            .setSignature(ByteString.copyFrom(new byte[64]))
            .build();
    assertRefused(
        doubleVote(SIGNER.address(), good, truncated),
        "second vote's signature is invalid: a signature is 65 bytes");
    assertRefused(
        Equivocations.doublePrevote(SIGNER, CHAIN, 7, 0).toBuilder()
            .setDoubleVote(
                Equivocations.doublePrevote(SIGNER, CHAIN, 7, 0).getDoubleVote().toBuilder()
                    .setValidator(ByteString.copyFrom(new byte[3])))
            .build(),
        "accused validator must be a 20-byte address");
    assertRefused(SubmitEvidence.getDefaultInstance(), "neither a double vote nor a proposal");
  }

  @Test
  void votesOfAnotherChainAreNoEvidenceHere() {
    assertRefused(Equivocations.doublePrevote(SIGNER, CHAIN + 1, 7, 0), "of chain 4243");
  }

  @Test
  void aNilOrUntypedVoteShapeIsChecked() {
    EvidenceVote untyped =
        vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1)).toBuilder()
            .setVote(
                vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1)).getVote().toBuilder()
                    .clearType())
            .build();
    assertRefused(doubleVote(SIGNER.address(), untyped, untyped), "neither prevote nor precommit");
    EvidenceVote shortHash =
        vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1)).toBuilder()
            .setVote(
                vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, block(1)).getVote().toBuilder()
                    .setBlockHash(ByteString.copyFrom(new byte[5])))
            .build();
    assertRefused(
        doubleVote(SIGNER.address(), shortHash, vote(SIGNER, CHAIN, 7, 0, VOTE_TYPE_PREVOTE, null)),
        "empty (nil) or 32 bytes");
  }

  @Test
  void proposalsMustShareHeightAndRoundAndDifferInBlock() {
    assertRefused(
        doubleProposal(
            SIGNER.address(),
            proposal(SIGNER, CHAIN, 7, 0, block(1), -1),
            proposal(SIGNER, CHAIN, 7, 1, block(2), -1)),
        "different rounds");
    assertRefused(
        doubleProposal(
            SIGNER.address(),
            proposal(SIGNER, CHAIN, 7, 1, block(1), -1),
            proposal(SIGNER, CHAIN, 7, 1, block(1), 0)),
        "same block");
    assertRefused(
        doubleProposal(
            SIGNER.address(),
            proposal(SIGNER, CHAIN, 7, 1, block(1), -1),
            proposal(OTHER, CHAIN, 7, 1, block(2), -1)),
        "second proposal was signed by " + OTHER.address());
    assertRefused(
        doubleProposal(
            SIGNER.address(),
            proposal(SIGNER, CHAIN + 1, 7, 1, block(1), -1),
            proposal(SIGNER, CHAIN + 1, 7, 1, block(2), -1)),
        "first proposal was signed by");
  }
}
