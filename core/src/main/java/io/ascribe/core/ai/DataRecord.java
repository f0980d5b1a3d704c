package io.ascribe.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * One record of a datanet as a contributor submits it: a text, or a prompt with its response. Its
 * {@link #canonicalBytes} are what a contribution's content hash and size are taken over, and what
 * nodes store and serve by that hash: compact JSON with the keys in sorted order and strings
 * escaped as RFC 8785 (JCS) does, so any language reproduces them byte for byte from the same
 * record.
 */
public sealed interface DataRecord permits DataRecord.Text, DataRecord.PromptResponse {

  /** The text MinHash shingles: the text itself, or the prompt and the response on two lines. */
  String text();

  /** {@code {"text":...}} or {@code {"prompt":...,"response":...}} in UTF-8, as JCS writes it. */
  byte[] canonicalBytes();

  /** keccak256 of the canonical bytes: the contribution's content hash. */
  default Hash contentHash() {
    return Keccak.hash(canonicalBytes());
  }

  /** A plain text record. */
  record Text(String text) implements DataRecord {
    public Text {
      requireContent("text", text);
    }

    @Override
    public byte[] canonicalBytes() {
      StringBuilder json = new StringBuilder("{\"text\":");
      appendString(json, text);
      return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** An instruction-tuning example: a prompt and the response wanted for it. */
  record PromptResponse(String prompt, String response) implements DataRecord {
    public PromptResponse {
      requireContent("prompt", prompt);
      requireContent("response", response);
    }

    @Override
    public String text() {
      return prompt + "\n" + response;
    }

    @Override
    public byte[] canonicalBytes() {
      StringBuilder json = new StringBuilder("{\"prompt\":");
      appendString(json, prompt);
      json.append(",\"response\":");
      appendString(json, response);
      return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * The record a JSON object describes: {@code {"text": ...}} or {@code {"prompt": ..., "response":
   * ...}}, non-blank strings and no other fields (a field the record would drop is refused rather
   * than lost).
   *
   * @throws IllegalArgumentException saying what is wrong and what a record looks like
   */
  static DataRecord fromJson(JsonNode json) {
    String shape = "a record is {\"text\": ...} or {\"prompt\": ..., \"response\": ...}";
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + shape);
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!Set.of("text", "prompt", "response").contains(name)) {
        throw new IllegalArgumentException("unknown field \"" + name + "\": " + shape);
      }
    }
    if (json.has("text")) {
      if (json.has("prompt") || json.has("response")) {
        throw new IllegalArgumentException("both \"text\" and \"prompt\"/\"response\": " + shape);
      }
      return new Text(string(json, "text"));
    }
    if (!json.has("prompt") && !json.has("response")) {
      throw new IllegalArgumentException("no \"text\", \"prompt\" or \"response\": " + shape);
    }
    if (!json.has("prompt") || !json.has("response")) {
      throw new IllegalArgumentException(
          "\"" + (json.has("prompt") ? "response" : "prompt") + "\" is missing: " + shape);
    }
    return new PromptResponse(string(json, "prompt"), string(json, "response"));
  }

  private static String string(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (!value.isTextual()) {
      throw new IllegalArgumentException(
          "\""
              + field
              + "\" must be a string, got "
              + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return value.textValue();
  }

  private static void requireContent(String field, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("\"" + field + "\" is empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        // UTF-8 cannot encode it, so the record would have no canonical bytes.
        throw new IllegalArgumentException(
            "\"" + field + "\" holds an unpaired UTF-16 surrogate at character " + i);
      }
    }
  }

  /** A JSON string as RFC 8785 writes it: only quote, backslash and controls escaped. */
  private static void appendString(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
