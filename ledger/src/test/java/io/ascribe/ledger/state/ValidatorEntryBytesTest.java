package io.ascribe.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hex;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.ValidatorSetUpdate;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The bytes of the three records that hold validator entries, pinned: the protocol record (whose
 * hash is a leaf of every state root) with its active and announced sets, and a validator-set
 * update (whose record is a leaf too, and whose set the outgoing validators sign). A change to how
 * an entry is encoded changes these bytes, so it forks the chain and this test says so.
 */
class ValidatorEntryBytesTest {
  private static final Address ALICE =
      Address.fromHex("0x1111111111111111111111111111111111111111");
  private static final Address BOB = Address.fromHex("0x2222222222222222222222222222222222222222");
  private static final BigInteger STAKE = Amount.ONE_OPEN.multiply(BigInteger.valueOf(1_000));

  private static final SystemState SYSTEM =
      SystemState.genesis(
              new ValidatorSet(
                  List.of(
                      new ValidatorSet.Validator(BOB, STAKE.add(BigInteger.ONE)),
                      new ValidatorSet.Validator(ALICE, STAKE))),
              Amount.ONE_OPEN.multiply(BigInteger.valueOf(1_000_000)))
          .withRotation(
              new SystemState.Rotation(
                  3,
                  Optional.of(
                      new SystemState.Upcoming(
                          42,
                          new ValidatorSet(
                              List.of(new ValidatorSet.Validator(ALICE, STAKE.shiftLeft(1)))),
                          List.of(BOB)))));

  private static final ValidatorSetUpdate UPDATE =
      new ValidatorSetUpdate(
          3,
          41,
          new io.ascribe.core.settlement.ValidatorSet(
              List.of(ALICE, BOB), List.of(BigInteger.valueOf(2_000), BigInteger.ONE)));

  @Test
  void theProtocolRecordsValidatorEntriesKeepTheirBytes() {
    assertThat(Hex.encode(SYSTEM.toProto().toByteArray())).isEqualTo(SYSTEM_HEX);
    assertThat(SystemState.fromBytes(SYSTEM.toProto().toByteArray())).isEqualTo(SYSTEM);
  }

  @Test
  void aValidatorSetUpdateKeepsItsBytes() {
    byte[] bytes = UPDATE.toProto().toByteArray();
    assertThat(Hex.encode(bytes)).isEqualTo(UPDATE_HEX);
    assertThat(LedgerObject.decode(bytes)).isEqualTo(UPDATE);
  }

  private static final String SYSTEM_HEX =
      "0x0a210a14111111111111111111111111111111111111111112093635c9adc5"
          + "dea000000a210a14222222222222222222222222222222222222222212093635"
          + "c9adc5dea000011a0ad3c21bcecceda1000000a2013d0803102a1a210a141111"
          + "11111111111111111111111111111111111112096c6b935b8bbd400000221422"
          + "22222222222222222222222222222222222222";
  private static final String UPDATE_HEX =
      "0xa2013b080310291a1a0a141111111111111111111111111111111111111111"
          + "120207d01a190a142222222222222222222222222222222222222222120101";
}
