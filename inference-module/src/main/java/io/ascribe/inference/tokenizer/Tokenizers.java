package io.ascribe.inference.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which tokenizer a model directory uses. */
public final class Tokenizers {
  private static final Logger LOG = LoggerFactory.getLogger(Tokenizers.class);
  private static final Set<Path> ANNOUNCED = ConcurrentHashMap.newKeySet();

  private Tokenizers() {}

  /**
   * The tokenizer of the model in {@code dir}: its {@code tokenizer.json} when it has one, else the
   * {@link ByteTokenizer} (logged once per directory). Either must fit the model's {@code
   * vocab_size}.
   *
   * @throws TokenizerException when the file is unusable or has ids past {@code modelVocabSize}
   */
  public static Tokenizer forModel(Path dir, int modelVocabSize) {
    Path file = dir.resolve(HfTokenizer.FILE);
    if (!Files.exists(file)) {
      announceByteFallback(dir);
      if (ByteTokenizer.VOCAB_SIZE > modelVocabSize) {
        throw new TokenizerException(
            dir
                + " has no "
                + HfTokenizer.FILE
                + ", and the byte tokenizer needs vocab_size ≥ "
                + ByteTokenizer.VOCAB_SIZE
                + " but config.json has "
                + modelVocabSize
                + "; put the model's tokenizer.json in the directory");
      }
      return new ByteTokenizer();
    }
    HfTokenizer t = HfTokenizer.load(file);
    if (t.vocabSize() > modelVocabSize) {
      t.close();
      throw new TokenizerException(
          file
              + " has ids up to "
              + (t.vocabSize() - 1)
              + " but config.json's vocab_size is "
              + modelVocabSize
              + ": it is another model's tokenizer; use the tokenizer.json that came with the"
              + " weights");
    }
    return t;
  }

  /** Logs, the first time for {@code dir}, that it falls back to bytes; true when it logged. */
  static boolean announceByteFallback(Path dir) {
    if (!ANNOUNCED.add(dir.toAbsolutePath().normalize())) {
      return false;
    }
    LOG.info(
        "{} has no {}: using the byte tokenizer (one token per UTF-8 byte, BOS {}, EOS {})",
        dir,
        HfTokenizer.FILE,
        ByteTokenizer.BOS,
        ByteTokenizer.EOS);
    return true;
  }
}
