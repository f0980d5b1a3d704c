package io.ascribe.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tokenizer/bpe/tokenizer.json} is a byte-level BPE written for these tests, GPT-2 style:
 * ids 0-255 are the bytes (id = byte value) under GPT-2's byte-to-unicode map (space is "Ġ",
 * newline "Ċ"), 17 merges take ids 256-272 in rank order, and the added special tokens are {@code
 * <|begin_of_text|>} (273) and {@code <|end_of_text|>} (274). The expected ids below were worked
 * out by hand from that definition: split with GPT-2's pre-tokenisation regex, map bytes, then
 * repeatedly merge the adjacent pair of lowest rank.
 */
class HfTokenizerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int BOS = 273;
  static final int EOS = 274;
  static Path resource;
  static HfTokenizer tok;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws URISyntaxException {
    resource = Path.of(HfTokenizerTest.class.getResource("/tokenizer/bpe/tokenizer.json").toURI());
    tok = HfTokenizer.load(resource);
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  @Test
  void theNativeLibraryCameOutOfTheJarWithDownloadsForbidden() throws IOException {
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    // The build's DJL cache starts empty after a clean: the library can only come from the jar.
    Path cache = Path.of(System.getProperty("DJL_CACHE_DIR"), "tokenizers");
    try (Stream<Path> files = Files.walk(cache)) {
      assertThat(files.map(p -> p.getFileName().toString())).contains("libtokenizers.so");
    }
  }

  @Test
  void encodesAsTheMergeRanksDictate() {
    // "the" has no leading space: only "h e" (rank 1) applies → t, he.
    // " lower": l o (3) before e r (5), then lo w (4), e r (5), Ġ low (6), Ġlow er (8) → Ġlower.
    // " newest": Ġ n (11), e w (12), Ġn ew (13), e s (14), es t (15) → Ġnew, est.
    assertThat(tok.encode("the lower newest")).containsExactly(116, 257, 264, 269, 271);
    assertThat(tok.encode(" the")).containsExactly(258); // Ġ t (0), h e (1), Ġt he (2)
    assertThat(tok.encode("lower")).containsExactly(263); // l o, lo w, e r, low er (7)
    assertThat(tok.encode("hello")).containsExactly(257, 108, 259); // he, l, lo: no "l lo"
    assertThat(tok.encode("café")).containsExactly(99, 97, 102, 272); // é = C3 A9 → "Ã ©" (16)
    assertThat(tok.encode("😀")).containsExactly(0xf0, 0x9f, 0x98, 0x80); // no merge: 4 bytes
    // "\s+(?!\S)" takes "\n\n " and leaves the last space to " x".
    assertThat(tok.encode("\n\n  x")).containsExactly(10, 10, 32, 32, 120);
    assertThat(tok.encode("")).isEmpty();
    assertThat(tok.vocabSize()).isEqualTo(275);
    assertThat(tok.modelType()).isEqualTo("BPE");
  }

  @Test
  void specialTokensAreFoundAndDecodingSkipsThem() {
    assertThat(tok.bos()).isEqualTo(BOS);
    assertThat(tok.eos()).isEqualTo(EOS);
    assertThat(tok.encode("<|begin_of_text|>the")).containsExactly(BOS, 116, 257);
    assertThat(tok.encode("a<|end_of_text|>b")).containsExactly(97, EOS, 98);
    assertThat(tok.decode(new int[] {BOS, 116, 257, EOS})).isEqualTo("the");
    assertThat(tok.decode(new int[] {97, EOS, 98})).isEqualTo("ab");
  }

  @Test
  void arbitraryUtf8RoundTrips() {
    List<String> texts =
        new ArrayList<>(
            List.of(
                "Hello, world! 123",
                "naïve café — “quotes” ½",
                "日本語のテキスト、中文，한국어",
                "emoji 😀👍🏽 and a family 👨‍👩‍👧 (ZWJ)",
                "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math: ∀x∈ℝ",
                "שלום עולם مرحبا",
                "tabs\tand\r\nnewlines\n\n  trailing  ",
                "e\u0301 combining"));
    Random random = new Random(42);
    for (int n = 0; n < 50; n++) {
      StringBuilder s = new StringBuilder();
      int len = 1 + random.nextInt(20);
      while (s.length() < len) {
        int cp = random.nextInt(0x110000);
        if (cp < 0xd800 || cp > 0xdfff) { // any code point but surrogates
          s.appendCodePoint(cp);
        }
      }
      texts.add(s.toString());
    }
    for (String t : texts) {
      assertThat(tok.decode(tok.encode(t))).as("round trip of %s", t).isEqualTo(t);
    }
    // Ids are bytes then merges: every id of any text is below the special tokens.
    assertThat(java.util.Arrays.stream(tok.encode(String.join("", texts))).max().orElseThrow())
        .isLessThan(BOS);
  }

  @Test
  void mergesAsPairsReadTheSameAsStrings() throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(resource.toFile());
    ArrayNode pairs = JSON.createArrayNode();
    for (JsonNode m : root.path("model").path("merges")) {
      String[] ab = m.asText().split(" ");
      pairs.addArray().add(ab[0]).add(ab[1]);
    }
    ((ObjectNode) root.get("model")).set("merges", pairs);
    try (HfTokenizer t = HfTokenizer.load(write(root))) {
      assertThat(t.encode("the lower newest café"))
          .containsExactly(116, 257, 264, 269, 271, 32, 99, 97, 102, 272);
    }
  }

  @Test
  void llama3StylePreTokenizerLoads() throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(resource.toFile());
    ObjectNode split = JSON.createObjectNode().put("type", "Split");
    split
        .putObject("pattern")
        .put(
            "Regex",
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
                + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    split.put("behavior", "Isolated").put("invert", false);
    ObjectNode byteLevel =
        JSON.createObjectNode()
            .put("type", "ByteLevel")
            .put("add_prefix_space", false)
            .put("trim_offsets", true)
            .put("use_regex", false);
    ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
    seq.putArray("pretokenizers").add(split).add(byteLevel);
    root.set("pre_tokenizer", seq);
    try (HfTokenizer t = HfTokenizer.load(write(root))) {
      assertThat(t.encode("the lower newest")).containsExactly(116, 257, 264, 269, 271);
      assertThat(t.decode(t.encode("x 😀 1234"))).isEqualTo("x 😀 1234");
    }
  }

  @Test
  void tokenizerConfigNamesTheSpecialTokens() throws IOException {
    Path file = write((ObjectNode) JSON.readTree(resource.toFile()));
    Files.writeString(
        dir.resolve(HfTokenizer.CONFIG_FILE),
        "{\"bos_token\": {\"content\": \"<|end_of_text|>\"}, \"eos_token\": \"<|begin_of_text|>\"}");
    try (HfTokenizer t = HfTokenizer.load(file)) {
      assertThat(t.bos()).isEqualTo(EOS);
      assertThat(t.eos()).isEqualTo(BOS);
    }
    Files.writeString(dir.resolve(HfTokenizer.CONFIG_FILE), "{\"eos_token\": \"<|im_end|>\"}");
    assertThatThrownBy(() -> HfTokenizer.load(file))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining(HfTokenizer.CONFIG_FILE)
        .hasMessageContaining("eos_token '<|im_end|>' is not in");
  }

  @Test
  void gpt2StyleEndOfTextServesAsBothEnds() throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(resource.toFile());
    ArrayNode added = JSON.createArrayNode();
    added
        .addObject()
        .put("id", 273)
        .put("content", "<|endoftext|>")
        .put("single_word", false)
        .put("lstrip", false)
        .put("rstrip", false)
        .put("normalized", false)
        .put("special", true);
    root.set("added_tokens", added);
    try (HfTokenizer t = HfTokenizer.load(write(root))) {
      assertThat(t.bos()).isEqualTo(273);
      assertThat(t.eos()).isEqualTo(273);
      assertThat(t.vocabSize()).isEqualTo(274);
    }
  }

  @Test
  void badFilesAreNamedWithTheFix() throws IOException {
    Path missing = dir.resolve("nowhere/tokenizer.json");
    assertThatThrownBy(() -> HfTokenizer.load(missing))
        .isInstanceOf(TokenizerException.class)
        .hasMessageStartingWith(missing + ": no such file")
        .hasMessageContaining("tokenizer.json that came with the model");

    Path truncated = dir.resolve(HfTokenizer.FILE);
    Files.writeString(truncated, "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\",");
    assertThatThrownBy(() -> HfTokenizer.load(truncated))
        .isInstanceOf(TokenizerException.class)
        .hasMessageStartingWith(truncated + ": not valid JSON at line 1")
        .hasMessageContaining("save_pretrained");

    Files.writeString(truncated, "[1, 2, 3]");
    assertThatThrownBy(() -> HfTokenizer.load(truncated))
        .hasMessageContaining("no \"model\" object, so not a Hugging Face tokenizer.json");

    ObjectNode root = (ObjectNode) JSON.readTree(resource.toFile());
    ((ObjectNode) root.get("model")).put("type", "SentencePiece");
    Path other = write(root);
    assertThatThrownBy(() -> HfTokenizer.load(other))
        .isInstanceOf(TokenizerException.class)
        .hasMessageStartingWith(other + ": tokenizer model type 'SentencePiece' is not supported")
        .hasMessageContaining("BPE, Unigram, WordLevel, WordPiece");

    root = (ObjectNode) JSON.readTree(resource.toFile());
    ((ObjectNode) root.get("model")).put("merges", 5);
    Path broken = write(root);
    assertThatThrownBy(() -> HfTokenizer.load(broken))
        .isInstanceOf(TokenizerException.class)
        .hasMessageStartingWith(broken + ": Hugging Face tokenizers cannot read it (");

    root = (ObjectNode) JSON.readTree(resource.toFile());
    root.set("added_tokens", JSON.createArrayNode());
    Path noEos = write(root);
    assertThatThrownBy(() -> HfTokenizer.load(noEos))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining("cannot tell which token ends a sequence")
        .hasMessageContaining("tokenizer_config.json with \"eos_token\"");
  }

  @Test
  void aModelDirectoryUsesItsTokenizerJsonOrFallsBackToBytes() throws IOException {
    Path bytes = Files.createDirectories(dir.resolve("bytes"));
    try (Tokenizer t = Tokenizers.forModel(bytes, 300)) {
      assertThat(t).isInstanceOf(ByteTokenizer.class);
    }
    assertThat(Tokenizers.announceByteFallback(bytes)).as("said once already").isFalse();
    assertThatThrownBy(() -> Tokenizers.forModel(bytes, 100))
        .hasMessageContaining("byte tokenizer needs vocab_size ≥ 258");

    Path bpe = Files.createDirectories(dir.resolve("bpe"));
    Files.copy(resource, bpe.resolve(HfTokenizer.FILE));
    try (Tokenizer t = Tokenizers.forModel(bpe, 275)) {
      assertThat(t).isInstanceOf(HfTokenizer.class);
      assertThat(t.encode(" the")).containsExactly(258);
    }
    assertThatThrownBy(() -> Tokenizers.forModel(bpe, 258))
        .isInstanceOf(TokenizerException.class)
        .hasMessageContaining("has ids up to 274 but config.json's vocab_size is 258");
  }

  private Path write(ObjectNode root) throws IOException {
    Path file = dir.resolve(HfTokenizer.FILE);
    Files.writeString(file, JSON.writeValueAsString(root));
    return file;
  }
}
