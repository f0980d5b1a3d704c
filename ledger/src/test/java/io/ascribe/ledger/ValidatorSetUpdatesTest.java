package io.ascribe.ledger;

import static io.ascribe.ledger.LedgerFixture.CHAIN_ID;
import static io.ascribe.ledger.LedgerFixture.EPOCH_LENGTH;
import static io.ascribe.ledger.LedgerFixture.MIN_FEE;
import static io.ascribe.ledger.LedgerFixture.MIN_STAKE;
import static io.ascribe.ledger.LedgerFixture.USERS;
import static io.ascribe.ledger.LedgerFixture.VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.settlement.SettlementMessages;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.ai.ValidatorSetUpdate;
import io.ascribe.ledger.exec.ExecutedBlock;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EVM validator-set updates through the ledger (docs/adr/008): a stake change that moves the
 * distributor's set is announced one block before it takes over, recorded with the next nonce, and
 * that block's precommits sign its EIP-712 digest; never at an epoch's last block, which signs the
 * epoch root; and the record survives a restart.
 */
class ValidatorSetUpdatesTest {
  private static final Genesis.Settlement SETTLEMENT =
      new Genesis.Settlement(31337, Address.fromHex("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"));
  private static final PrivateKey JOINER = USERS.get(0);
  private static final long DELAY = 2;

  @TempDir Path dir;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;

  private static Genesis genesis() {
    return LedgerFixture.genesis().withSettlement(Optional.of(SETTLEMENT));
  }

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, genesis());
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private ExecutedBlock commit(SignedTransaction... txs) {
    ExecutedBlock block = ledger.propose(List.of(txs), time += 1000, VALIDATOR.address());
    assertThat(block.rejected()).isEmpty();
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
    return block;
  }

  private void commitUntil(long height) {
    while (ledger.height() < height) {
      commit();
    }
  }

  /** Stakes the minimum from {@link #JOINER} in the next block; returns that block's height. */
  private long stake() {
    return commit(
            SignedTransaction.sign(
                TxBodies.stake(
                    CHAIN_ID, ledger.account(JOINER.address()).nonce(), MIN_FEE, MIN_STAKE),
                JOINER))
        .height();
  }

  private boolean signs(long height) {
    return ledger.nextValidators().find(JOINER.address()).isPresent()
        && ledger.height() + 1 == height;
  }

  /** The distributor's set after the join: both validators, powers in whole OPEN. */
  private static ValidatorSet joined() {
    return ValidatorSet.of(
        Map.of(
            VALIDATOR.address(), BigInteger.valueOf(10_000),
            JOINER.address(), BigInteger.valueOf(1_000)));
  }

  @Test
  void theOutgoingSetSignsTheUpdateAtTheBlockBeforeTheNewSetTakesOver() {
    commitUntil(2);
    long staked = stake();
    long takesOver = staked + DELAY;
    long announced = takesOver - 1;
    commitUntil(announced - 1);
    Eip712Domain domain = SETTLEMENT.domain();

    // Before the announcing block exists, its digest is known from the committed chain.
    ValidatorSetUpdate next = ledger.validatorSetUpdateAt(announced).orElseThrow();
    assertThat(next.nonce()).isZero();
    assertThat(next.height()).isEqualTo(announced);
    assertThat(next.validators()).isEqualTo(joined());
    assertThat(ledger.precommitDigest(announced))
        .contains(SettlementMessages.validatorSetUpdateDigest(domain, 0, joined()));

    ExecutedBlock block = commit();
    assertThat(ledger.precommitDigest(block)).contains(next.digest(domain));
    assertThat(ledger.precommitDigest(announced)).contains(next.digest(domain));
    assertThat(ledger.validatorSetUpdate(0)).contains(next);
    assertThat(ledger.validatorSetUpdates()).isEqualTo(1);
    // The outgoing set signs the announcing block; the new one signs from the next.
    assertThat(ledger.system().validators().find(JOINER.address())).isEmpty();
    assertThat(signs(takesOver)).isTrue();
    commit();
    assertThat(ledger.system().validators().find(JOINER.address())).isPresent();
    assertThat(ledger.precommitDigest(takesOver)).isEmpty();
    assertThat(ledger.precommitDigest(announced - 1)).isEmpty();

    // The record and the count survive a restart (the state root checks them on reopening).
    ledger.close();
    ledger = Ledger.open(dir, genesis());
    assertThat(ledger.validatorSetUpdate(0)).contains(next);
    assertThat(ledger.validatorSetUpdates()).isEqualTo(1);
    assertThat(ledger.validatorSetUpdateAt(announced)).contains(next);
  }

  @Test
  void aChangeDueRightAfterAnEpochsLastBlockIsAnnouncedOneBlockLater() {
    // Due at the block after the epoch's last: it would be announced at the epoch's last block,
    // whose precommits sign the epoch root, so it waits one block.
    commitUntil(EPOCH_LENGTH - DELAY);
    long staked = stake();
    assertThat(staked + DELAY).isEqualTo(EPOCH_LENGTH + 1);
    commitUntil(EPOCH_LENGTH - 1);
    assertThat(ledger.validatorSetUpdateAt(EPOCH_LENGTH)).isEmpty();
    assertThat(ledger.precommitDigest(EPOCH_LENGTH))
        .isEqualTo(ledger.epochRootDigest(EPOCH_LENGTH));
    commit();
    ValidatorSetUpdate next = ledger.validatorSetUpdateAt(EPOCH_LENGTH + 1).orElseThrow();
    assertThat(next.height()).isEqualTo(EPOCH_LENGTH + 1);
    commit();
    assertThat(ledger.system().validators().find(JOINER.address())).isEmpty();
    commit();
    assertThat(ledger.height()).isEqualTo(EPOCH_LENGTH + 2);
    assertThat(ledger.system().validators().find(JOINER.address())).isPresent();
    // The epoch root was signed by the outgoing set, whose hash the distributor still holds.
    assertThat(ledger.epochRoot(EPOCH_LENGTH).orElseThrow().validatorSetHash())
        .isNotEqualTo(joined().hash());
  }
}
