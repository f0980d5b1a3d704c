package io.ascribe.core.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ascribe.core.types.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.modes.CTRModeCipher;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Ethereum keystore files (Web3 Secret Storage, version 3), so a key made with geth, Foundry's
 * {@code cast wallet} or MetaMask exports can sign on Ascribe and back. The password goes through
 * scrypt or PBKDF2-HMAC-SHA256 to a derived key; its first 16 bytes are the AES-128-CTR key for the
 * private key, and keccak256 of its second 16 bytes and the ciphertext is the MAC that tells a
 * wrong password from a right one. Every problem with a file is an {@link IllegalArgumentException}
 * that names the offending field.
 */
public final class Keystore {
  /** The scrypt cost geth uses for new keys ("standard" scrypt): about a second per unlock. */
  public static final int DEFAULT_SCRYPT_N = 262144;

  private static final int SCRYPT_R = 8;
  private static final int SCRYPT_P = 1;
  private static final int DERIVED_KEY_LENGTH = 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Keystore() {}

  /**
   * Decrypts a version 3 keystore file.
   *
   * @throws IllegalArgumentException "wrong password (MAC mismatch)" for a wrong password, or a
   *     message naming the field that is missing, malformed or unsupported
   */
  public static PrivateKey decrypt(String json, String password) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("keystore is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("keystore is not a JSON object");
    }
    int version = integer(root, "version", "version");
    if (version != 3) {
      throw new IllegalArgumentException("keystore version " + version + " is not supported (3)");
    }
    // Some older geth files spell it "Crypto".
    JsonNode crypto = root.has("crypto") ? root.get("crypto") : root.get("Crypto");
    object(crypto, "crypto");

    String cipher = text(crypto, "cipher", "crypto.cipher");
    if (!cipher.equals("aes-128-ctr")) {
      throw new IllegalArgumentException(
          "crypto.cipher \"" + cipher + "\" is not supported (aes-128-ctr)");
    }
    JsonNode cipherParams = object(crypto.get("cipherparams"), "crypto.cipherparams");
    byte[] iv = hex(cipherParams, "iv", "crypto.cipherparams.iv");
    if (iv.length != 16) {
      throw new IllegalArgumentException("crypto.cipherparams.iv must be 16 bytes");
    }
    byte[] ciphertext = hex(crypto, "ciphertext", "crypto.ciphertext");
    if (ciphertext.length != 32) {
      throw new IllegalArgumentException("crypto.ciphertext must be 32 bytes (a private key)");
    }
    byte[] mac = hex(crypto, "mac", "crypto.mac");

    byte[] derived = deriveKey(crypto, password);
    byte[] expected = Keccak.hash(Arrays.copyOfRange(derived, 16, 32), ciphertext).toArray();
    // Constant time, so the comparison leaks nothing about how close a guess was.
    if (!MessageDigest.isEqual(expected, mac)) {
      throw new IllegalArgumentException("wrong password (MAC mismatch)");
    }
    return PrivateKey.fromBytes(aesCtr(Arrays.copyOf(derived, 16), iv, ciphertext));
  }

  /** Encrypts {@code key} with scrypt at the default cost, as geth writes new keys. */
  public static String encrypt(PrivateKey key, String password, SecureRandom random) {
    return encrypt(key, password, random, DEFAULT_SCRYPT_N);
  }

  /**
   * Encrypts {@code key} with scrypt cost {@code scryptN} (a power of two; r = 8, p = 1). Lower
   * costs are for tests: they make a stolen file cheaper to brute-force.
   */
  public static String encrypt(PrivateKey key, String password, SecureRandom random, int scryptN) {
    byte[] salt = new byte[32];
    random.nextBytes(salt);
    byte[] iv = new byte[16];
    random.nextBytes(iv);
    byte[] derived =
        Scrypt.derive(
            passwordBytes(password), salt, scryptN, SCRYPT_R, SCRYPT_P, DERIVED_KEY_LENGTH);
    byte[] ciphertext = aesCtr(Arrays.copyOf(derived, 16), iv, key.toBytes());
    byte[] mac = Keccak.hash(Arrays.copyOfRange(derived, 16, 32), ciphertext).toArray();

    ObjectNode root = JSON.createObjectNode();
    root.put("address", bareHex(key.address().toArray()));
    ObjectNode crypto = root.putObject("crypto");
    crypto.put("cipher", "aes-128-ctr");
    crypto.putObject("cipherparams").put("iv", bareHex(iv));
    crypto.put("ciphertext", bareHex(ciphertext));
    crypto.put("kdf", "scrypt");
    ObjectNode kdfParams = crypto.putObject("kdfparams");
    kdfParams.put("dklen", DERIVED_KEY_LENGTH);
    kdfParams.put("n", scryptN);
    kdfParams.put("p", SCRYPT_P);
    kdfParams.put("r", SCRYPT_R);
    kdfParams.put("salt", bareHex(salt));
    crypto.put("mac", bareHex(mac));
    root.put("id", randomUuid(random).toString());
    root.put("version", 3);
    return root.toString();
  }

  private static byte[] deriveKey(JsonNode crypto, String password) {
    String kdf = text(crypto, "kdf", "crypto.kdf");
    JsonNode params = object(crypto.get("kdfparams"), "crypto.kdfparams");
    byte[] salt = hex(params, "salt", "crypto.kdfparams.salt");
    int length = integer(params, "dklen", "crypto.kdfparams.dklen");
    // The MAC uses bytes 16..32, so a shorter derived key cannot be checked.
    if (length < DERIVED_KEY_LENGTH) {
      throw new IllegalArgumentException("crypto.kdfparams.dklen must be at least 32");
    }
    return switch (kdf) {
      case "scrypt" -> scrypt(params, password, salt, length);
      case "pbkdf2" -> pbkdf2(params, password, salt, length);
      default ->
          throw new IllegalArgumentException(
              "crypto.kdf \"" + kdf + "\" is not supported (scrypt, pbkdf2)");
    };
  }

  private static byte[] scrypt(JsonNode params, String password, byte[] salt, int length) {
    int n = integer(params, "n", "crypto.kdfparams.n");
    int r = integer(params, "r", "crypto.kdfparams.r");
    int p = integer(params, "p", "crypto.kdfparams.p");
    try {
      return Scrypt.derive(passwordBytes(password), salt, n, r, p, length);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "crypto.kdfparams n, r, p are not valid scrypt costs: " + e.getMessage(), e);
    }
  }

  private static byte[] pbkdf2(JsonNode params, String password, byte[] salt, int length) {
    String prf = text(params, "prf", "crypto.kdfparams.prf");
    if (!prf.equals("hmac-sha256")) {
      throw new IllegalArgumentException(
          "crypto.kdfparams.prf \"" + prf + "\" is not supported (hmac-sha256)");
    }
    int iterations = integer(params, "c", "crypto.kdfparams.c");
    if (iterations < 1) {
      throw new IllegalArgumentException("crypto.kdfparams.c must be positive");
    }
    PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
    generator.init(passwordBytes(password), salt, iterations);
    return ((KeyParameter) generator.generateDerivedParameters(length * 8)).getKey();
  }

  /** AES-128-CTR is its own inverse, so this both encrypts and decrypts. */
  private static byte[] aesCtr(byte[] key, byte[] iv, byte[] input) {
    CTRModeCipher cipher = SICBlockCipher.newInstance(AESEngine.newInstance());
    cipher.init(true, new ParametersWithIV(new KeyParameter(key), iv));
    byte[] output = new byte[input.length];
    cipher.processBytes(input, 0, input.length, output, 0);
    return output;
  }

  private static byte[] passwordBytes(String password) {
    return password.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode object(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "keystore field " + field + " is missing or not an object");
    }
    return node;
  }

  private static String text(JsonNode parent, String name, String field) {
    JsonNode node = parent.get(name);
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException("keystore field " + field + " is missing or not a string");
    }
    return node.asText();
  }

  private static int integer(JsonNode parent, String name, String field) {
    JsonNode node = parent.get(name);
    if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "keystore field " + field + " is missing or not a 32-bit integer");
    }
    return node.intValue();
  }

  private static byte[] hex(JsonNode parent, String name, String field) {
    String text = text(parent, name, field);
    try {
      return Hex.decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("keystore field " + field + ": " + e.getMessage(), e);
    }
  }

  /** Keystore files write hex without the {@code 0x} prefix. */
  private static String bareHex(byte[] bytes) {
    return Hex.encode(bytes).substring(2);
  }

  /** A version 4 (random) UUID drawn from {@code random}, so seeded tests get stable files. */
  private static UUID randomUuid(SecureRandom random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (bytes[i] & 0xff);
      low = (low << 8) | (bytes[8 + i] & 0xff);
    }
    return new UUID(high, low);
  }
}
