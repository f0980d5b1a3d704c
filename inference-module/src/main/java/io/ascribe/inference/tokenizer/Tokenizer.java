package io.ascribe.inference.tokenizer;

/**
 * Text to token ids and back. Implementations own their special tokens: {@link #eos()} ends a
 * response (training appends it; generation stops on it) and {@link #bos()} starts a sequence.
 * Byte-level BPE from a {@code tokenizer.json} will implement this next to {@link ByteTokenizer}.
 */
public interface Tokenizer {
  int[] encode(String text);

  /** The text of {@code ids}, skipping special tokens. */
  String decode(int[] ids);

  int vocabSize();

  int bos();

  int eos();
}
