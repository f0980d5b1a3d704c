package io.ascribe.core.crypto.hd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HdKeysTest {
  private static final String ANVIL_MNEMONIC =
      "test test test test test test test test test test test junk";

  /** Anvil's and Hardhat's ten default accounts: m/44'/60'/0'/0/i of {@link #ANVIL_MNEMONIC}. */
  @ParameterizedTest
  @CsvSource({
    "0, 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80, 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "1, 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d, 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "2, 0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a, 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "3, 0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6, 0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "4, 0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a, 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "5, 0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba, 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "6, 0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e, 0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    "7, 0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356, 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "8, 0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97, 0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
    "9, 0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6, 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
  })
  void anvilMnemonicGivesAnvilAccounts(int index, String privateKey, String address) {
    ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(Bip39.seed(ANVIL_MNEMONIC, ""));
    PrivateKey key = master.derive(DerivationPath.ethereum(index)).privateKey();
    assertThat(key.toHex()).isEqualTo(privateKey);
    assertThat(key.address()).isEqualTo(Address.fromHex(address));
  }

  /** BIP-32 test vector 1: private keys and chain codes along m/0'/1/2'/2/1000000000. */
  @ParameterizedTest
  @CsvSource({
    "m, e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35, 873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508",
    "m/0', edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea, 47fdacbd0f1097043b78c63c20c34ef4ed9a111d980047ad16282c7ae6236141",
    "m/0'/1, 3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368, 2a7857631386ba23dacac34180dd1983734e444fdbf774041578e9b6adb37c19",
    "m/0'/1/2', cbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca, 04466b9cc8e161e966409ca52986c584f07e9dc81f735db683c3ff6ec7b1503f",
    "m/0'/1/2'/2, 0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4, cfb71883f01676f587d023cc53a35bc7f88f724b1f8c2892ac1275ac822a3edd",
    "m/0'/1/2'/2/1000000000, 471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8, c783e67b921d2beb8f6b389cc646d7263b4145701dadd2161548a8b078e65e9e",
  })
  void bip32TestVector1(String path, String privateKey, String chainCode) {
    ExtendedPrivateKey master =
        ExtendedPrivateKey.fromSeed(Hex.decode("000102030405060708090a0b0c0d0e0f"));
    ExtendedPrivateKey key = master.derive(DerivationPath.parse(path));
    assertThat(key.privateKey().toHex()).isEqualTo("0x" + privateKey);
    assertThat(Hex.encode(key.chainCode())).isEqualTo("0x" + chainCode);
  }

  /** The Trezor BIP-39 vector for the all-"abandon" mnemonic with passphrase "TREZOR". */
  @Test
  void bip39SeedMatchesTrezorVector() {
    String mnemonic =
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    assertThat(Hex.encode(Bip39.seed(mnemonic, "TREZOR")))
        .isEqualTo(
            "0xc55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04");
  }

  @Test
  void passphraseChangesTheSeed() {
    assertThat(Bip39.seed(ANVIL_MNEMONIC, "x")).isNotEqualTo(Bip39.seed(ANVIL_MNEMONIC, ""));
  }

  @Test
  void mnemonicIsNfkdNormalised() {
    // "é" as one code point (NFC) and as e + combining acute (NFKD) must give the same seed.
    String composed = ANVIL_MNEMONIC.replace("junk", "caf\u00e9");
    String decomposed = ANVIL_MNEMONIC.replace("junk", "cafe\u0301");
    assertThat(Bip39.seed(composed, "p\u00e9")).isEqualTo(Bip39.seed(decomposed, "pe\u0301"));
  }

  @Test
  void rejectsMnemonicThatWalletsWouldReadDifferently() {
    assertThatThrownBy(() -> Bip39.seed(ANVIL_MNEMONIC + " ", ""))
        .hasMessageContaining("single spaces");
    assertThatThrownBy(() -> Bip39.seed(ANVIL_MNEMONIC.replace("test test", "test  test"), ""))
        .hasMessageContaining("single spaces");
    assertThatThrownBy(() -> Bip39.seed(ANVIL_MNEMONIC.replaceFirst(" ", "\n"), ""))
        .hasMessageContaining("single spaces");
    assertThatThrownBy(
            () -> Bip39.seed("test test test test test test test test test test junk", ""))
        .hasMessageContaining("got 11");
  }

  @Test
  void pathParsesAndPrintsBip44() {
    DerivationPath path = DerivationPath.parse("m/44'/60'/0'/0/7");
    assertThat(path).isEqualTo(DerivationPath.ethereum(7));
    assertThat(path.toString()).isEqualTo("m/44'/60'/0'/0/7");
    assertThat(DerivationPath.parse("m/44h/60H/0'/0/7")).isEqualTo(path);
    assertThat(DerivationPath.parse("m").indices()).isEmpty();
    assertThat(DerivationPath.parse("m/2147483647'").indices())
        .isEqualTo(List.of(0x7fff_ffff | DerivationPath.HARDENED));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "44'/60'/0'/0/0 | starts with \"m\"",
        "m/ | bad segment \"\"",
        "m/44'/ | bad segment \"\"",
        "m/-1 | bad segment \"-1\"",
        "m/+1 | bad segment \"+1\"",
        "m/1x | bad segment \"1x\"",
        "m/'| bad segment \"'\"",
        "m/2147483648 | too large",
        "m/99999999999 | bad segment",
      })
  void pathRejectsMalformedText(String text, String message) {
    assertThatThrownBy(() -> DerivationPath.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsSeedOfWrongLength() {
    assertThatThrownBy(() -> ExtendedPrivateKey.fromSeed(new byte[15]))
        .hasMessageContaining("16 to 64 bytes");
    assertThatThrownBy(() -> ExtendedPrivateKey.fromSeed(new byte[65]))
        .hasMessageContaining("16 to 64 bytes");
  }

  @Test
  void toStringDoesNotRevealTheKey() {
    ExtendedPrivateKey key = ExtendedPrivateKey.fromSeed(Bip39.seed(ANVIL_MNEMONIC, ""));
    assertThat(key.toString())
        .doesNotContain(key.privateKey().toHex().substring(2))
        .contains(key.privateKey().address().toString());
  }
}
