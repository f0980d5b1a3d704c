package io.ascribe.inference.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.inference.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (byte-level BPE as GPT-2 and Llama 3 use, or any other
 * model the Hugging Face tokenizers library runs: Unigram, WordPiece, WordLevel), run by that
 * library's Rust code through DJL. The native library ships inside DJL's {@code tokenizers} jar and
 * is extracted into DJL's cache directory, so nothing is downloaded.
 *
 * <p>The file is checked here first so a mistake gets a message naming the file and the fix instead
 * of a serde error: it must be JSON with a {@code model} object of a known type. Text is encoded
 * without the special tokens the file's post-processor would add (the trainer and the generator add
 * BOS and EOS themselves); added tokens written in the text, such as {@code <|end_of_text|>}, still
 * become their ids, as in Hugging Face's {@code encode}. BOS and EOS are the {@code bos_token} and
 * {@code eos_token} of a {@code tokenizer_config.json} beside the file when there is one, otherwise
 * the first of the usual names the vocabulary holds; with an EOS but no BOS (GPT-2), EOS serves as
 * both.
 */
public final class HfTokenizer implements Tokenizer {
  public static final String FILE = "tokenizer.json";
  public static final String CONFIG_FILE = "tokenizer_config.json";

  /** The model types Hugging Face tokenizers defines. */
  public static final List<String> MODEL_TYPES =
      List.of("BPE", "Unigram", "WordLevel", "WordPiece");

  static final List<String> BOS_NAMES =
      List.of("<|begin_of_text|>", "<s>", "<bos>", "<|startoftext|>");
  static final List<String> EOS_NAMES =
      List.of("<|end_of_text|>", "</s>", "<eos>", "<|endoftext|>");

  private static final String RESAVE =
      "use the tokenizer.json that came with the model, or write one with Hugging Face"
          + " tokenizers (tokenizer.save(path) or save_pretrained)";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final String modelType;
  private final HuggingFaceTokenizer hf;
  private final int vocabSize;
  private final int bos;
  private final int eos;

  private HfTokenizer(
      Path file, String modelType, HuggingFaceTokenizer hf, int vocabSize, int bos, int eos) {
    this.file = file;
    this.modelType = modelType;
    this.hf = hf;
    this.vocabSize = vocabSize;
    this.bos = bos;
    this.eos = eos;
  }

  /**
   * Reads {@code file}.
   *
   * @throws TokenizerException when it is missing, not JSON, not a tokenizer, of an unsupported
   *     model type, or has no recognisable end-of-sequence token
   */
  public static HfTokenizer load(Path file) {
    JsonNode root = readJson(file, "the tokenizer.json that came with the model");
    JsonNode model = root.get("model");
    if (!root.isObject() || model == null || !model.isObject()) {
      throw new TokenizerException(
          file + ": no \"model\" object, so not a Hugging Face tokenizer.json; " + RESAVE);
    }
    JsonNode type = model.get("type");
    if (type != null && !MODEL_TYPES.contains(type.asText())) {
      throw new TokenizerException(
          file
              + ": tokenizer model type '"
              + type.asText()
              + "' is not supported (Hugging Face tokenizers has "
              + String.join(", ", MODEL_TYPES)
              + "); "
              + RESAVE);
    }
    Map<String, Integer> ids = ids(file, model, root.get("added_tokens"));
    if (ids.isEmpty()) {
      throw new TokenizerException(file + ": the vocabulary is empty; " + RESAVE);
    }
    int size = ids.values().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1;
    Path config = file.resolveSibling(CONFIG_FILE);
    int eos = special(file, config, ids, "eos_token", EOS_NAMES, -1);
    int bos = special(file, config, ids, "bos_token", BOS_NAMES, eos);
    return new HfTokenizer(file, type == null ? "?" : type.asText(), open(file), size, bos, eos);
  }

  private static HuggingFaceTokenizer open(Path file) {
    Torch.offlineUnlessSet();
    try {
      // DJL truncates to 512 tokens and pads by default; the trainer and generator do neither.
      return HuggingFaceTokenizer.newInstance(
          file, Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
    } catch (IOException e) {
      throw new TokenizerException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (ai.djl.engine.EngineException | LinkageError e) {
      throw new TokenizerException(
          "the Hugging Face tokenizers native library did not load on this platform ("
              + e.getMessage()
              + "); its jar carries it for linux-x86_64, linux-aarch64, osx-aarch64 and"
              + " win-x86_64, or remove "
              + file
              + " to use the byte tokenizer",
          e);
    } catch (RuntimeException e) {
      // The Rust library's own (serde) message: a field of the wrong shape, an unknown variant.
      throw new TokenizerException(
          file + ": Hugging Face tokenizers cannot read it (" + e.getMessage() + "); " + RESAVE, e);
    }
  }

  static JsonNode readJson(Path file, String fix) {
    try {
      return JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new TokenizerException(file + ": no such file; give " + fix, e);
    } catch (JsonProcessingException e) {
      throw new TokenizerException(
          file
              + ": not valid JSON at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + " ("
              + e.getOriginalMessage()
              + "); "
              + RESAVE,
          e);
    } catch (IOException e) {
      throw new TokenizerException("cannot read " + file + ": " + e, e);
    }
  }

  // Token → id from the model's vocabulary (an object, or Unigram's list of [piece, score]) and the
  // added tokens.
  private static Map<String, Integer> ids(Path file, JsonNode model, JsonNode added) {
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocab = model.get("vocab");
    if (vocab != null && vocab.isObject()) {
      for (Map.Entry<String, JsonNode> e : vocab.properties()) {
        ids.put(e.getKey(), id(file, e.getKey(), e.getValue()));
      }
    } else if (vocab != null && vocab.isArray()) {
      for (int i = 0; i < vocab.size(); i++) {
        ids.put(vocab.get(i).path(0).asText(), i);
      }
    } else {
      throw new TokenizerException(file + ": the model has no \"vocab\"; " + RESAVE);
    }
    if (added != null && added.isArray()) {
      for (JsonNode t : added) {
        String content = t.path("content").asText(null);
        if (content == null) {
          throw new TokenizerException(file + ": an added token has no \"content\"; " + RESAVE);
        }
        ids.put(content, id(file, content, t.get("id")));
      }
    }
    return ids;
  }

  private static int id(Path file, String token, JsonNode id) {
    if (id == null || !id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
      throw new TokenizerException(
          file
              + ": token '"
              + token
              + "' has id "
              + id
              + ", not a non-negative integer; "
              + RESAVE);
    }
    return id.intValue();
  }

  // The id of tokenizer_config.json's `field` when the file exists and sets it, else of the first
  // of `names` in the vocabulary, else `fallback` (-1: none, an error).
  private static int special(
      Path file,
      Path config,
      Map<String, Integer> ids,
      String field,
      List<String> names,
      int fallback) {
    if (Files.exists(config)) {
      JsonNode value = readJson(config, "a tokenizer_config.json or none").path(field);
      String token = value.isObject() ? value.path("content").asText(null) : value.asText(null);
      if (value.isTextual() || value.isObject()) {
        Integer id = token == null ? null : ids.get(token);
        if (id == null) {
          throw new TokenizerException(
              config
                  + ": "
                  + field
                  + " '"
                  + token
                  + "' is not in "
                  + file
                  + "; set it to one of the tokenizer's tokens");
        }
        return id;
      }
    }
    for (String name : names) {
      Integer id = ids.get(name);
      if (id != null) {
        return id;
      }
    }
    if (fallback >= 0) {
      return fallback;
    }
    throw new TokenizerException(
        file
            + ": cannot tell which token ends a sequence (it has none of "
            + String.join(" ", names)
            + "); put a "
            + CONFIG_FILE
            + " with \""
            + field
            + "\" (and \"bos_token\") beside it");
  }

  public Path file() {
    return file;
  }

  /** The model type named in the file: BPE, Unigram, WordLevel or WordPiece. */
  public String modelType() {
    return modelType;
  }

  @Override
  public int[] encode(String text) {
    long[] ids = hf.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return hf.decode(l, true);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int bos() {
    return bos;
  }

  @Override
  public int eos() {
    return eos;
  }

  @Override
  public void close() {
    hf.close();
  }

  @Override
  public String toString() {
    return modelType
        + " tokenizer "
        + file
        + " ("
        + vocabSize
        + " ids, BOS "
        + bos
        + ", EOS "
        + eos
        + ")";
  }
}
