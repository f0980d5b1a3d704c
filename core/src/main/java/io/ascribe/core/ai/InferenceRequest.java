package io.ascribe.core.ai;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One RAG request as a user asks it of an executor: answer {@code prompt} with {@code model} (and
 * optionally a tuned {@code adapter} of it), grounded in the top {@code topK} documents of {@code
 * datanet}, in at most {@code maxNewTokens} tokens. Its {@link #hash} is what the user's fee
 * authorisation signs and what the receipt records, so it binds the fee to exactly this request: a
 * fixed binary layout any client reproduces (see {@link #hash}).
 */
public record InferenceRequest(
    String prompt, Hash model, Optional<Hash> adapter, Hash datanet, int topK, int maxNewTokens) {

  /** The most documents one request may retrieve (a receipt scores at most 32). */
  public static final int MAX_TOP_K = 32;

  private static final byte[] TAG = "ascribe/infer/v1".getBytes(StandardCharsets.US_ASCII);

  public InferenceRequest {
    if (prompt == null || prompt.isBlank()) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    if (topK < 1 || topK > MAX_TOP_K) {
      throw new IllegalArgumentException("topK must be in [1, " + MAX_TOP_K + "], got " + topK);
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
    }
  }

  /**
   * keccak256("ascribe/infer/v1" ‖ model ‖ adapter (32 zero bytes when none) ‖ datanet ‖ topK as 4
   * bytes big-endian ‖ maxNewTokens as 4 bytes big-endian ‖ keccak256(prompt in UTF-8)).
   */
  public Hash hash() {
    ByteBuffer sizes = ByteBuffer.allocate(8).putInt(topK).putInt(maxNewTokens);
    return Keccak.hash(
        TAG,
        model.toArray(),
        adapter.orElse(Hash.ZERO).toArray(),
        datanet.toArray(),
        sizes.array(),
        Keccak.hash(prompt.getBytes(StandardCharsets.UTF_8)).toArray());
  }

  /** keccak256 of an answer's UTF-8 text: a receipt's output hash. */
  public static Hash outputHash(String answer) {
    return Keccak.hash(answer.getBytes(StandardCharsets.UTF_8));
  }
}
