package io.ascribe.core.crypto.hd;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * BIP-39 mnemonic to seed: PBKDF2-HMAC-SHA512 over the NFKD-normalised sentence, salted with {@code
 * "mnemonic"} plus the optional passphrase, 2048 rounds, 64 bytes out. The result feeds {@link
 * ExtendedPrivateKey#fromSeed}. Only the seed step is implemented: this code neither ships a
 * wordlist nor generates mnemonics, so it does not check the mnemonic's built-in checksum.
 */
public final class Bip39 {
  /** Seed length in bytes. */
  public static final int SEED_SIZE = 64;

  private static final int ROUNDS = 2048;

  private Bip39() {}

  /**
   * Returns the 64-byte seed of {@code mnemonic} with {@code passphrase} ({@code ""} for none).
   *
   * @throws IllegalArgumentException when the words are not separated by single spaces or their
   *     count is not 12, 15, 18, 21 or 24; such a sentence still hashes to a seed, but a different
   *     one from what wallets derive, so it is almost certainly a copy-paste slip
   */
  public static byte[] seed(String mnemonic, String passphrase) {
    String sentence = Normalizer.normalize(mnemonic, Normalizer.Form.NFKD);
    String[] words = sentence.split(" ", -1);
    for (String word : words) {
      if (word.isEmpty() || word.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "mnemonic words must be separated by single spaces, with none before or after");
      }
    }
    if (words.length < 12 || words.length > 24 || words.length % 3 != 0) {
      throw new IllegalArgumentException(
          "a mnemonic has 12, 15, 18, 21 or 24 words, got " + words.length);
    }
    String salt = "mnemonic" + Normalizer.normalize(passphrase, Normalizer.Form.NFKD);
    PKCS5S2ParametersGenerator pbkdf2 = new PKCS5S2ParametersGenerator(new SHA512Digest());
    pbkdf2.init(
        sentence.getBytes(StandardCharsets.UTF_8), salt.getBytes(StandardCharsets.UTF_8), ROUNDS);
    return ((KeyParameter) pbkdf2.generateDerivedParameters(SEED_SIZE * 8)).getKey();
  }
}
