package io.ascribe.node.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ascribe.core.ai.DataRecord;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.node.content.ContentStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a file a contributor has, each checked and ready to contribute, or the reasons the
 * file cannot be used: a JSON Lines file gives one record per non-blank line ({@code {"text": ...}}
 * or {@code {"prompt": ..., "response": ...}}), a text file one record of its whole text. A file
 * with any malformed record is refused whole, naming each bad line, so nothing is half sent.
 */
record ContributionFile(Path file, List<ContributionFile.Entry> entries) {
  private static final int ERRORS_SHOWN = 5;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * One record and what a Contribute transaction carries for it.
   *
   * @param where where it came from, for messages: {@code "line 3"} or the file name
   * @param record the record, whose canonical bytes are the content
   * @param minHash the signature of its text
   */
  record Entry(String where, DataRecord record, MinHash minHash) {
    long size() {
      return record.canonicalBytes().length;
    }
  }

  ContributionFile {
    entries = List.copyOf(entries);
  }

  /**
   * Reads a JSON Lines file.
   *
   * @throws UserErrorException naming the malformed lines, or when the file has no record
   */
  static ContributionFile jsonl(Path file) {
    byte[] bytes = read(file);
    List<Entry> entries = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    int number = 0;
    for (int start = 0; start < bytes.length; ) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      number++;
      String where = "line " + number;
      try {
        String line = utf8(bytes, start, end);
        if (!line.isBlank()) {
          entries.add(entry(where, DataRecord.fromJson(JSON.readTree(line))));
        }
      } catch (CharacterCodingException e) {
        errors.add(where + ": not UTF-8 text");
      } catch (JsonProcessingException e) {
        errors.add(where + ": not JSON (" + e.getOriginalMessage() + ")");
      } catch (IllegalArgumentException e) {
        errors.add(where + ": " + e.getMessage());
      }
      start = end + 1;
    }
    if (!errors.isEmpty()) {
      throw new UserErrorException(
          file
              + " has "
              + errors.size()
              + (errors.size() == 1 ? " malformed record" : " malformed records")
              + ", nothing was sent: "
              + String.join("; ", errors.subList(0, Math.min(ERRORS_SHOWN, errors.size())))
              + (errors.size() > ERRORS_SHOWN ? "; ..." : ""));
    }
    if (entries.isEmpty()) {
      throw new UserErrorException(file + " holds no records: one JSON object per line");
    }
    return new ContributionFile(file, entries);
  }

  /**
   * Reads a text file as one record.
   *
   * @throws UserErrorException when it is not UTF-8 text or has no words
   */
  static ContributionFile text(Path file) {
    byte[] bytes = read(file);
    String text;
    try {
      text = utf8(bytes, 0, bytes.length);
    } catch (CharacterCodingException e) {
      throw new UserErrorException(file + " is not UTF-8 text; nothing was sent");
    }
    String where = file.getFileName().toString();
    try {
      return new ContributionFile(file, List.of(entry(where, new DataRecord.Text(text))));
    } catch (IllegalArgumentException e) {
      throw new UserErrorException(file + ": " + e.getMessage() + "; nothing was sent");
    }
  }

  private static Entry entry(String where, DataRecord record) {
    int size = record.canonicalBytes().length;
    if (size > ContentStore.MAX_BLOB_BYTES) {
      // Its bytes would be refused by the node, which keeps every contribution it has on chain.
      throw new IllegalArgumentException(
          "the record is "
              + size
              + " bytes, over the "
              + ContentStore.MAX_BLOB_BYTES
              + " bytes (16 MiB) a node stores for one contribution: split it into smaller"
              + " records");
    }
    if (MinHash.shingles(record.text()).isEmpty()) {
      // Every text without words has the same signature, so it would pass for a copy of another.
      throw new IllegalArgumentException("the record has no words (letters or digits)");
    }
    return new Entry(where, record, MinHash.ofText(record.text()));
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UserErrorException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Strict UTF-8: a file that is not text is refused, not read with replacement characters. */
  private static String utf8(byte[] bytes, int from, int to) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes, from, to - from))
        .toString();
  }
}
