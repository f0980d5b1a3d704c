package io.ascribe.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.ai.FeeAuthorisationNonces;
import io.ascribe.ledger.ai.InferenceBatch;
import io.ascribe.ledger.ai.ReceiptChallenge;
import io.ascribe.ledger.ai.ReceiptRecord;
import io.ascribe.ledger.ai.WorkRole;
import io.ascribe.ledger.ai.WorkShare;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The exact JSON of receipt batches, challenges and fee authorisations, field by field. */
class InferenceJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Hash BATCH = hash(1);
  private static final Hash REQUEST = hash(2);
  private static final Hash MODEL = hash(3);
  private static final Hash ADAPTER = hash(4);
  private static final Hash DATANET = hash(5);
  private static final Hash GOOD = hash(6);
  private static final Hash BAD = hash(7);
  private static final Hash OUTPUT = hash(8);
  private static final Hash CHALLENGE = hash(9);
  private static final Address EXECUTOR = address(0x11);
  private static final Address USER = address(0x22);
  private static final Address TUNER = address(0x33);
  private static final Address VERIFIER = address(0x44);

  private static Hash hash(int seed) {
    return Keccak.hash(new byte[] {(byte) seed});
  }

  private static Address address(int fill) {
    byte[] bytes = new byte[20];
    java.util.Arrays.fill(bytes, (byte) fill);
    return Address.wrap(bytes);
  }

  /**
   * {@code actual} as text against {@code expected} (single quotes for double ones): the field
   * order is part of the shape, and numbers compare by value whatever their Java type.
   */
  private static void assertJson(JsonNode actual, String expected) throws Exception {
    assertThat(actual.toString()).isEqualTo(JSON.readTree(expected.replace('\'', '"')).toString());
  }

  private static ReceiptRecord receipt() {
    return new ReceiptRecord(
        REQUEST,
        MODEL,
        Optional.of(ADAPTER),
        DATANET,
        List.of(new AttributionScore(GOOD, 1_010_000), new AttributionScore(BAD, -10_000)),
        OUTPUT,
        USER,
        42,
        BigInteger.valueOf(1_000),
        List.of(
            new WorkShare(EXECUTOR, WorkRole.EXECUTOR, BigInteger.valueOf(150)),
            new WorkShare(TUNER, WorkRole.FINE_TUNER, BigInteger.valueOf(150))),
        ReceiptRecord.Status.CHALLENGED,
        Optional.of(CHALLENGE));
  }

  @Test
  void aBatchShowsEachReceiptWithSignedPpmScoresAndItsCreditsInRoleOrder() throws Exception {
    InferenceBatch batch =
        new InferenceBatch(
            BATCH,
            EXECUTOR,
            10,
            111,
            InferenceBatch.Status.HELD,
            List.of(receipt()),
            new TreeSet<>(List.of(VERIFIER)));

    assertJson(
        InferenceJson.batch(batch),
        "{'id':'"
            + BATCH.toHex()
            + "','executor':'"
            + EXECUTOR
            + "','height':'0xa','settleHeight':'0x6f','status':'held','verifiers':['"
            + VERIFIER
            + "'],'receipts':[{'index':'0x0','requestHash':'"
            + REQUEST.toHex()
            + "','model':'"
            + MODEL.toHex()
            + "','adapter':'"
            + ADAPTER.toHex()
            + "','datanet':'"
            + DATANET.toHex()
            + "','scores':[{'contribution':'"
            + GOOD.toHex()
            + "','scorePpm':1010000},{'contribution':'"
            + BAD.toHex()
            + "','scorePpm':-10000}],'outputHash':'"
            + OUTPUT.toHex()
            + "','user':'"
            + USER
            + "','nonce':'0x2a','fee':'0x3e8','credits':[{'account':'"
            + TUNER
            + "','role':'fineTuner','amount':'0x96'},{'account':'"
            + EXECUTOR
            + "','role':'executor','amount':'0x96'}],'status':'challenged','challenge':'"
            + CHALLENGE.toHex()
            + "'}]}");
  }

  @Test
  void aChallengeShowsItsVotesAndNoDecisionWhileOpenThenTheDecidingBlockAndTheSlash()
      throws Exception {
    ReceiptChallenge open =
        new ReceiptChallenge(
            CHALLENGE,
            BATCH,
            3,
            VERIFIER,
            BigInteger.valueOf(5_000),
            List.of(new AttributionScore(GOOD, 1_000_000)),
            OUTPUT,
            20,
            120,
            ReceiptChallenge.Status.OPEN,
            List.of(new ReceiptChallenge.Vote(USER, false)),
            0,
            BigInteger.ZERO);
    String common =
        "{'id':'"
            + CHALLENGE.toHex()
            + "','batch':'"
            + BATCH.toHex()
            + "','receipt':'0x3','challenger':'"
            + VERIFIER
            + "','bond':'0x1388','scores':[{'contribution':'"
            + GOOD.toHex()
            + "','scorePpm':1000000}],'outputHash':'"
            + OUTPUT.toHex()
            + "','height':'0x14','deadline':'0x78',";

    assertJson(
        InferenceJson.challenge(open),
        common
            + "'status':'open','votes':[{'voter':'"
            + USER
            + "','verdict':'reject'}],'decidedHeight':null,'slashed':'0x0'}");
    ReceiptChallenge upheld =
        open.withVote(new ReceiptChallenge.Vote(TUNER, true))
            .decided(ReceiptChallenge.Status.UPHELD, 25, BigInteger.valueOf(500));
    assertJson(
        InferenceJson.challenge(upheld),
        common
            + "'status':'upheld','votes':[{'voter':'"
            + USER
            + "','verdict':'reject'},{'voter':'"
            + TUNER
            + "','verdict':'uphold'}],'decidedHeight':'0x19','slashed':'0x1f4'}");
  }

  @Test
  void feeAuthorisationsListTheUsedNoncesInTheWindowAndTheOldestStillUsable() throws Exception {
    FeeAuthorisationNonces nonces =
        FeeAuthorisationNonces.none(USER)
            .use(3, BigInteger.TEN)
            .use(300, BigInteger.TEN)
            .use(295, BigInteger.ONE);

    // Nonce 3 has fallen out of the window below 300: only 300 and 295 are remembered.
    assertJson(
        InferenceJson.feeAuthorisations(nonces),
        "{'user':'"
            + USER
            + "','highestNonce':'0x12c','usedNonces':['0x12c','0x127'],"
            + "'oldestUsableNonce':'0x2d','windowSize':'0x100','spent':'0x15'}");
    assertJson(
        InferenceJson.feeAuthorisations(FeeAuthorisationNonces.none(USER)),
        "{'user':'"
            + USER
            + "','highestNonce':null,'usedNonces':[],'oldestUsableNonce':'0x0',"
            + "'windowSize':'0x100','spent':'0x0'}");
  }
}
