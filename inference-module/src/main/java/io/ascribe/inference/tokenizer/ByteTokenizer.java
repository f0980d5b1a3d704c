package io.ascribe.inference.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One token per UTF-8 byte (ids 0-255) plus BOS (256) and EOS (257): no vocabulary file, any text
 * encodes, so tests and small from-scratch models need nothing on disk. Decoding replaces byte
 * sequences that are not valid UTF-8 (a model may emit them) with U+FFFD.
 */
public record ByteTokenizer() implements Tokenizer {
  public static final int BOS = 256;
  public static final int EOS = 257;
  public static final int VOCAB_SIZE = 258;

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
    for (int id : ids) {
      if (id >= 0 && id < 256) {
        out.write(id);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return VOCAB_SIZE;
  }

  @Override
  public int bos() {
    return BOS;
  }

  @Override
  public int eos() {
    return EOS;
  }
}
