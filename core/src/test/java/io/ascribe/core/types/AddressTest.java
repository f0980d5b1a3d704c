package io.ascribe.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTest {
  // The test vectors listed in EIP-55 itself: all caps, all lower, and mixed ("normal") case.
  @ParameterizedTest
  @ValueSource(
      strings = {
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"
      })
  void eip55VectorsParseAndPrintBackUnchanged(String checksummed) {
    Address address = Address.fromHex(checksummed);
    assertThat(address.toString()).isEqualTo(checksummed);
    // Single-case input carries no checksum, so it is accepted whatever the EIP-55 form is.
    assertThat(Address.fromHex(checksummed.toLowerCase(Locale.ROOT))).isEqualTo(address);
    assertThat(Address.fromHex("0x" + checksummed.substring(2).toUpperCase(Locale.ROOT)))
        .isEqualTo(address);
  }

  @Test
  void wrongChecksumIsRejectedWithTheRightOne() {
    // 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed with the case of its first letter flipped.
    assertThatThrownBy(() -> Address.fromHex("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wrong EIP-55 checksum")
        .hasMessageContaining("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  }

  @Test
  void wrongLengthIsRejected() {
    assertThatThrownBy(() -> Address.fromHex("0x1234"))
        .hasMessageContaining("20 bytes (40 hex digits), got 2 bytes");
    assertThatThrownBy(() -> Address.wrap(new byte[19])).hasMessageContaining("got 19");
  }

  @Test
  void prefixIsOptionalAndBytesRoundTrip() {
    Address address = Address.fromHex("de709f2102306220921060314715629080e2fb77");
    assertThat(Address.wrap(address.toArray())).isEqualTo(address);
    assertThat(address.toArray()).hasSize(Address.SIZE);
  }

  @Test
  void ordersByUnsignedBytes() {
    Address low = Address.fromHex("0x7f" + "00".repeat(19));
    Address high = Address.fromHex("0x80" + "00".repeat(19));
    assertThat(low).isLessThan(high);
  }
}
