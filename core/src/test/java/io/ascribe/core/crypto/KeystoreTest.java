package io.ascribe.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class KeystoreTest {
  // The two test vectors of the Web3 Secret Storage Definition (ethereum.org wiki), typed in.
  private static final String PASSWORD = "testpassword";
  private static final String VECTOR_KEY =
      "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

  private static final String PBKDF2_VECTOR =
      """
      {
        "crypto": {
          "cipher": "aes-128-ctr",
          "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
          "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
          "kdf": "pbkdf2",
          "kdfparams": {
            "c": 262144,
            "dklen": 32,
            "prf": "hmac-sha256",
            "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
          },
          "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
        },
        "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
        "version": 3
      }
      """;

  private static final String SCRYPT_VECTOR =
      """
      {
        "crypto": {
          "cipher": "aes-128-ctr",
          "cipherparams": {"iv": "83dbcc02d8ccb40e466191a123791e0e"},
          "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
          "kdf": "scrypt",
          "kdfparams": {
            "dklen": 32,
            "n": 262144,
            "p": 8,
            "r": 1,
            "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
          },
          "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
        },
        "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
        "version": 3
      }
      """;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static SecureRandom seeded(long seed) throws Exception {
    // SHA1PRNG seeded before first use is deterministic, so every run sees the same files.
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(seed);
    return random;
  }

  @Test
  void decryptsSpecPbkdf2Vector() {
    assertThat(Keystore.decrypt(PBKDF2_VECTOR, PASSWORD).toHex()).isEqualTo(VECTOR_KEY);
  }

  @Test
  void decryptsSpecScryptVector() {
    assertThat(Keystore.decrypt(SCRYPT_VECTOR, PASSWORD).toHex()).isEqualTo(VECTOR_KEY);
  }

  @Test
  void wrongPasswordIsAMacMismatch() {
    assertThatThrownBy(() -> Keystore.decrypt(PBKDF2_VECTOR, "testpasswort"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wrong password (MAC mismatch)");
  }

  @Test
  void encryptThenDecryptRoundTrips() throws Exception {
    SecureRandom random = seeded(3);
    for (int i = 0; i < 3; i++) {
      PrivateKey key = PrivateKey.generate(random);
      String password = "pässwörd " + i;
      String json = Keystore.encrypt(key, password, random, 1024);
      assertThat(Keystore.decrypt(json, password).toHex()).isEqualTo(key.toHex());
      assertThatThrownBy(() -> Keystore.decrypt(json, password + "x"))
          .hasMessage("wrong password (MAC mismatch)");
    }
  }

  @Test
  void encryptWritesTheFieldsOtherWalletsExpect() throws Exception {
    PrivateKey key = PrivateKey.fromHex(VECTOR_KEY);
    ObjectNode file = (ObjectNode) JSON.readTree(Keystore.encrypt(key, PASSWORD, seeded(1), 2));
    assertThat(file.get("version").intValue()).isEqualTo(3);
    assertThat(file.get("address").asText())
        .isEqualTo(key.address().toString().substring(2).toLowerCase());
    assertThat(file.get("id").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-.*");
    assertThat(file.at("/crypto/cipher").asText()).isEqualTo("aes-128-ctr");
    assertThat(file.at("/crypto/kdf").asText()).isEqualTo("scrypt");
    assertThat(file.at("/crypto/kdfparams/n").intValue()).isEqualTo(2);
    assertThat(file.at("/crypto/kdfparams/r").intValue()).isEqualTo(8);
    assertThat(file.at("/crypto/kdfparams/p").intValue()).isEqualTo(1);
    assertThat(file.at("/crypto/kdfparams/dklen").intValue()).isEqualTo(32);
    assertThat(file.at("/crypto/kdfparams/salt").asText()).matches("[0-9a-f]{64}");
    assertThat(file.at("/crypto/cipherparams/iv").asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void defaultCostIsGethStandardScrypt() {
    assertThat(Keystore.DEFAULT_SCRYPT_N).isEqualTo(1 << 18);
  }

  @Test
  void malformedJsonIsRejected() {
    assertThatThrownBy(() -> Keystore.decrypt("{\"crypto\": ", PASSWORD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> Keystore.decrypt("[]", PASSWORD))
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void missingFieldsAreNamed() throws Exception {
    assertThatThrownBy(() -> Keystore.decrypt(without("/crypto", "mac"), PASSWORD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crypto.mac");
    assertThatThrownBy(() -> Keystore.decrypt(without("/crypto/kdfparams", "salt"), PASSWORD))
        .hasMessageContaining("crypto.kdfparams.salt");
    assertThatThrownBy(() -> Keystore.decrypt(without("/crypto/cipherparams", "iv"), PASSWORD))
        .hasMessageContaining("crypto.cipherparams.iv");
    assertThatThrownBy(() -> Keystore.decrypt(without("/crypto/kdfparams", "c"), PASSWORD))
        .hasMessageContaining("crypto.kdfparams.c");
    assertThatThrownBy(() -> Keystore.decrypt(without("", "crypto"), PASSWORD))
        .hasMessageContaining("crypto");
    assertThatThrownBy(() -> Keystore.decrypt(without("", "version"), PASSWORD))
        .hasMessageContaining("version");
  }

  @Test
  void unsupportedChoicesAreNamed() throws Exception {
    assertThatThrownBy(() -> Keystore.decrypt(with("/crypto", "kdf", "argon2id"), PASSWORD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crypto.kdf")
        .hasMessageContaining("argon2id");
    assertThatThrownBy(() -> Keystore.decrypt(with("/crypto", "cipher", "aes-128-cbc"), PASSWORD))
        .hasMessageContaining("crypto.cipher");
    assertThatThrownBy(
            () -> Keystore.decrypt(with("/crypto/kdfparams", "prf", "hmac-sha512"), PASSWORD))
        .hasMessageContaining("crypto.kdfparams.prf");
    assertThatThrownBy(() -> Keystore.decrypt(with("/crypto", "mac", "zz"), PASSWORD))
        .hasMessageContaining("crypto.mac");
  }

  @Test
  void invalidScryptCostIsRejectedBeforeWork() throws Exception {
    ObjectNode file = (ObjectNode) JSON.readTree(SCRYPT_VECTOR);
    ((ObjectNode) file.at("/crypto/kdfparams")).put("n", 1000);
    assertThatThrownBy(() -> Keystore.decrypt(file.toString(), PASSWORD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crypto.kdfparams");
  }

  private static String without(String parent, String field) throws Exception {
    ObjectNode file = (ObjectNode) JSON.readTree(PBKDF2_VECTOR);
    ((ObjectNode) file.at(parent)).remove(field);
    return file.toString();
  }

  private static String with(String parent, String field, String value) throws Exception {
    ObjectNode file = (ObjectNode) JSON.readTree(PBKDF2_VECTOR);
    ((ObjectNode) file.at(parent)).put(field, value);
    return file.toString();
  }
}
