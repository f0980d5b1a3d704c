package io.ascribe.inference.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.inference.tokenizer.Tokenizer;
import io.ascribe.inference.train.Example;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt → response examples from a JSON Lines file: one JSON object per line with string fields
 * {@code prompt} and {@code response} (other fields are ignored, blank lines skipped). Each example
 * keeps its line number, so every mistake is reported as {@code FILE:LINE: what is wrong}.
 */
public record JsonlDataset(Path file, List<Line> lines) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final String FORMAT =
      "write one JSON object per line: {\"prompt\": \"...\", \"response\": \"...\"}";

  /** An example and the (1-based) line it came from. */
  public record Line(int number, Example example) {}

  public JsonlDataset {
    lines = List.copyOf(lines);
  }

  /**
   * Reads {@code file}.
   *
   * @throws DatasetException when it is missing, empty, not UTF-8, or a line is not an object with
   *     string prompt and response
   */
  public static JsonlDataset read(Path file) {
    List<Line> lines = new ArrayList<>();
    int number = 0;
    try (BufferedReader in = Files.newBufferedReader(file)) {
      String text;
      while ((text = readLine(in, file, number + 1)) != null) {
        number++;
        if (!text.isBlank()) {
          lines.add(new Line(number, parse(file, number, text)));
        }
      }
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + ": no such file", e);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e, e);
    }
    if (lines.isEmpty()) {
      throw new DatasetException(file + ": no examples; " + FORMAT);
    }
    return new JsonlDataset(file, lines);
  }

  private static String readLine(BufferedReader in, Path file, int number) throws IOException {
    try {
      return in.readLine();
    } catch (CharacterCodingException e) {
      throw new DatasetException(
          file + ":" + number + ": not UTF-8 text; save the file as UTF-8", e);
    }
  }

  private static Example parse(Path file, int number, String text) {
    String at = file + ":" + number + ": ";
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      // Jackson's message may go on to quote the source's location: the line number says it.
      String why = e.getOriginalMessage().replaceAll(" \\(start marker at .*", "");
      throw new DatasetException(at + "not valid JSON (" + why + "); " + FORMAT, e);
    }
    if (!node.isObject()) {
      throw new DatasetException(at + "not a JSON object; " + FORMAT);
    }
    return new Example(field(node, "prompt", at), field(node, "response", at));
  }

  private static String field(JsonNode node, String name, String at) {
    JsonNode v = node.get(name);
    if (v == null) {
      throw new DatasetException(at + "no \"" + name + "\" field; " + FORMAT);
    }
    if (!v.isTextual()) {
      throw new DatasetException(
          at
              + "\""
              + name
              + "\" is "
              + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
              + ", not a string");
    }
    return v.textValue();
  }

  /** The examples in file order. */
  public List<Example> examples() {
    return lines.stream().map(Line::example).toList();
  }

  /**
   * Refuses the first line whose example does not fit a model with a context of {@code context}
   * tokens: a prompt that with BOS fills the context (nothing left to predict), or prompt and
   * response that with BOS and EOS are longer than the context (what training and evaluation feed
   * the model).
   *
   * @throws DatasetException naming the line
   */
  public void checkFits(Tokenizer tokenizer, int context) {
    for (Line l : lines) {
      int prompt = tokenizer.encode(l.example().prompt()).length;
      String at = file + ":" + l.number() + ": ";
      if (1 + prompt >= context) {
        throw new DatasetException(
            at
                + "the prompt is "
                + prompt
                + " tokens, longer than the model's context of "
                + context
                + " allows (BOS and at least one token to predict); shorten it or drop the line");
      }
      int response = tokenizer.encode(l.example().response()).length;
      // Inputs are BOS prompt response; the targets add EOS and drop BOS.
      int length = 1 + prompt + response;
      if (length > context) {
        throw new DatasetException(
            at
                + "prompt and response are "
                + prompt
                + " + "
                + response
                + " tokens, "
                + length
                + " inputs with BOS, more than the model's context of "
                + context
                + "; shorten the response or drop the line");
      }
    }
  }
}
