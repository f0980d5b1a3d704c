package io.ascribe.contracts.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.crypto.Keccak;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** Names the custom error in revert data, from the errors in the contracts' committed ABIs. */
final class RevertDecoder {
  private static final Map<String, String> ERRORS = load();

  private RevertDecoder() {}

  /** The error's name for revert data {@code 0x<selector>...}, or null when unknown. */
  static String errorName(String data) {
    if (data == null || data.length() < 10) {
      return null;
    }
    return ERRORS.get(data.substring(2, 10).toLowerCase(java.util.Locale.ROOT));
  }

  private static Map<String, String> load() {
    Map<String, String> errors = new HashMap<>();
    errors.put(selector("Error(string)"), "Error");
    errors.put(selector("Panic(uint256)"), "Panic");
    ObjectMapper json = new ObjectMapper();
    for (String contract : Contracts.NAMES) {
      String resource = "/io/ascribe/contracts/build/" + contract + ".json";
      try (InputStream in = RevertDecoder.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + resource);
        }
        for (JsonNode entry : json.readTree(in).get("abi")) {
          if (!"error".equals(entry.path("type").asText())) {
            continue;
          }
          StringBuilder signature = new StringBuilder(entry.get("name").asText()).append('(');
          JsonNode inputs = entry.get("inputs");
          for (int i = 0; i < inputs.size(); i++) {
            signature.append(i == 0 ? "" : ",").append(inputs.get(i).get("type").asText());
          }
          errors.put(selector(signature.append(')').toString()), entry.get("name").asText());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Map.copyOf(errors);
  }

  private static String selector(String signature) {
    byte[] hash = Keccak.hash(signature.getBytes(StandardCharsets.US_ASCII)).toArray();
    return HexFormat.of().formatHex(hash, 0, 4);
  }
}
