package io.ascribe.inference.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.inference.tokenizer.ByteTokenizer;
import io.ascribe.inference.train.Example;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlDatasetTest {
  @TempDir Path dir;

  private Path file(String text) throws IOException {
    return Files.writeString(dir.resolve("data.jsonl"), text);
  }

  private void refused(String text, String expected) throws IOException {
    Path f = file(text);
    assertThatThrownBy(() -> JsonlDataset.read(f))
        .isInstanceOf(DatasetException.class)
        .hasMessage(f + expected);
  }

  @Test
  void readsPromptsAndResponsesKeepingLineNumbers() throws IOException {
    Path f =
        file(
            "{\"prompt\": \"one\", \"response\": \" 1\", \"id\": 7}\n"
                + "\n"
                + "   \n"
                + "{\"response\": \"deux 😀\", \"prompt\": \"\"}\r\n"
                + "{\"prompt\": \"a\\nb\", \"response\": \"\"}");
    JsonlDataset d = JsonlDataset.read(f);
    assertThat(d.examples())
        .containsExactly(
            new Example("one", " 1"), new Example("", "deux 😀"), new Example("a\nb", ""));
    assertThat(d.lines()).extracting(JsonlDataset.Line::number).containsExactly(1, 4, 5);
    assertThat(d.file()).isEqualTo(f);
  }

  @Test
  void malformedLinesAreReportedByLineNumber() throws IOException {
    String good = "{\"prompt\": \"p\", \"response\": \"r\"}\n";
    refused(
        good + "{\"prompt\": \"p\", \"response\": \n",
        ":2: not valid JSON (Unexpected end-of-input within/between Object entries); write one"
            + " JSON object per line: {\"prompt\": \"...\", \"response\": \"...\"}");
    refused(
        good + "{\"prompt\": \"p\"\n",
        ":2: not valid JSON (Unexpected end-of-input: expected close marker for Object); write"
            + " one JSON object per line: {\"prompt\": \"...\", \"response\": \"...\"}");
    refused(
        good + good + "{\"prompt\": \"p\"}\n",
        ":3: no \"response\" field; write one JSON object per line: {\"prompt\": \"...\","
            + " \"response\": \"...\"}");
    refused(
        "{\"response\": \"r\"}\n",
        ":1: no \"prompt\" field; write one JSON object per line: {\"prompt\": \"...\","
            + " \"response\": \"...\"}");
    refused(
        good + "{\"prompt\": \"p\", \"response\": 5}", ":2: \"response\" is number, not a string");
    refused(
        good + "[\"p\", \"r\"]",
        ":2: not a JSON object; write one JSON object per line: {\"prompt\": \"...\","
            + " \"response\": \"...\"}");
    Path trailing = file(good + good + good + good.trim() + " {}\n");
    assertThatThrownBy(() -> JsonlDataset.read(trailing))
        .hasMessageStartingWith(trailing + ":4: not valid JSON (Trailing token");
  }

  @Test
  void missingEmptyAndNonUtf8FilesAreRefused() throws IOException {
    Path missing = dir.resolve("none.jsonl");
    assertThatThrownBy(() -> JsonlDataset.read(missing))
        .isInstanceOf(DatasetException.class)
        .hasMessage(missing + ": no such file");
    refused(
        "\n  \n",
        ": no examples; write one JSON object per line: {\"prompt\": \"...\", \"response\":"
            + " \"...\"}");
    Path latin1 =
        Files.write(
            dir.resolve("latin1.jsonl"),
            "{\"prompt\": \"caf\u00e9\", \"response\": \"x\"}"
                .getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> JsonlDataset.read(latin1))
        .isInstanceOf(DatasetException.class)
        .hasMessage(latin1 + ":1: not UTF-8 text; save the file as UTF-8");
  }

  @Test
  void examplesLongerThanTheContextAreRefusedNamingTheLine() throws IOException {
    ByteTokenizer bytes = new ByteTokenizer();
    Path f =
        file(
            "{\"prompt\": \"abc\", \"response\": \"de\"}\n"
                + "{\"prompt\": \"abcdefgh\", \"response\": \"\"}\n");
    JsonlDataset d = JsonlDataset.read(f);
    d.checkFits(bytes, 10); // BOS + 8 prompt bytes leaves one position
    assertThatThrownBy(() -> d.checkFits(bytes, 9))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            f
                + ":2: the prompt is 8 tokens, longer than the model's context of 9 allows (BOS"
                + " and at least one token to predict); shorten it or drop the line");
    assertThatThrownBy(() -> d.checkFits(bytes, 5))
        .hasMessage(
            f
                + ":1: prompt and response are 3 + 2 tokens, 6 inputs with BOS, more than the"
                + " model's context of 5; shorten the response or drop the line");
  }
}
