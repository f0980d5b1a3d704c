package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import org.junit.jupiter.api.Test;

class CopyRefusalTest {
  private final Hash content = Keccak.hash(new byte[] {1});
  private final Hash existing = Keccak.hash(new byte[] {2});

  @Test
  void eachRefusalReadsBackFromItsReceiptError() {
    CopyRefusal exact = new CopyRefusal.Exact(content, existing);
    CopyRefusal near = new CopyRefusal.Near(existing, 9_375, 8_000);

    assertThat(CopyRefusal.parse(exact.message())).contains(exact);
    assertThat(CopyRefusal.parse(near.message())).contains(near);
    assertThat(near.message())
        .isEqualTo(
            "near duplicate of contribution "
                + existing
                + ": MinHash similarity 9375 bps is at or above the datanet's threshold 8000 bps");
  }

  @Test
  void otherErrorsAreNotRefusals() {
    assertThat(CopyRefusal.parse("unknown datanet " + existing)).isEmpty();
    assertThat(CopyRefusal.parse("")).isEmpty();
  }
}
