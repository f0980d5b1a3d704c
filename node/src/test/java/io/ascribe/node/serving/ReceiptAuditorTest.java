package io.ascribe.node.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.AttributionScore;
import io.ascribe.ledger.ai.ReceiptRecord;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReceiptAuditorTest {
  private static final Hash OUTPUT = Keccak.hash(new byte[] {1});
  private static final Hash A = Keccak.hash(new byte[] {2});
  private static final Hash B = Keccak.hash(new byte[] {3});

  private static ReceiptRecord receipt(Hash output, Map<Hash, Long> ppm) {
    List<AttributionScore> scores =
        ppm.entrySet().stream().map(e -> new AttributionScore(e.getKey(), e.getValue())).toList();
    return new ReceiptRecord(
        Keccak.hash(new byte[] {9}),
        Keccak.hash(new byte[] {8}),
        Optional.empty(),
        Keccak.hash(new byte[] {7}),
        scores,
        output,
        Address.ZERO,
        1,
        BigInteger.ONE,
        List.of(),
        ReceiptRecord.Status.HELD,
        Optional.empty());
  }

  @Test
  void aReRunWithTheSameAnswerAndSharesWithinTolerancesAgrees() {
    ReceiptRecord r = receipt(OUTPUT, Map.of(A, 700_000L, B, 300_000L));

    assertThat(ReceiptAuditor.agrees(r, OUTPUT, Map.of(A, 690_000L, B, 310_000L))).isTrue();
  }

  @Test
  void anotherAnswerOrAnInflatedShareDisagrees() {
    ReceiptRecord r = receipt(OUTPUT, Map.of(A, 900_000L, B, 100_000L));

    assertThat(
            ReceiptAuditor.agrees(r, Keccak.hash(new byte[] {5}), Map.of(A, 900_000L, B, 100_000L)))
        .as("another answer")
        .isFalse();
    assertThat(ReceiptAuditor.agrees(r, OUTPUT, Map.of(A, 500_000L, B, 500_000L)))
        .as("A's share inflated by 40 points")
        .isFalse();
    assertThat(ReceiptAuditor.agrees(r, OUTPUT, Map.of(A, 900_000L)))
        .as("a contribution the re-run gives nothing, credited 10 points")
        .isFalse();
  }
}
