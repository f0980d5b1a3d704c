package io.ascribe.inference.tokenizer;

/**
 * Text to token ids and back. Implementations own their special tokens: {@link #eos()} ends a
 * response (training appends it; generation stops on it) and {@link #bos()} starts a sequence.
 * {@link ByteTokenizer} needs no file; {@link HfTokenizer} reads a Hugging Face {@code
 * tokenizer.json}, and {@link Tokenizers#forModel} picks between them for a model directory.
 * Closing frees native resources where an implementation holds any.
 */
public interface Tokenizer extends AutoCloseable {
  /** The ids of {@code text}, without BOS or EOS added. */
  int[] encode(String text);

  /** The text of {@code ids}, skipping special tokens. */
  String decode(int[] ids);

  /** One more than the largest id this tokenizer produces. */
  int vocabSize();

  int bos();

  int eos();

  @Override
  default void close() {}
}
