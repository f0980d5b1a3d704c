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
  private static final int PREIMAGE_SIZE = TAG.length + 3 * Hash.SIZE + 8 + Hash.SIZE;

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
    return Keccak.hash(preimage());
  }

  /**
   * The bytes {@link #hash} is taken over. An executor publishes them, and the prompt's own bytes,
   * as content (by their keccak256), so a verifier holding only a receipt's request hash can fetch
   * the request and re-execute it.
   */
  public byte[] preimage() {
    return ByteBuffer.allocate(PREIMAGE_SIZE)
        .put(TAG)
        .put(model.toArray())
        .put(adapter.orElse(Hash.ZERO).toArray())
        .put(datanet.toArray())
        .putInt(topK)
        .putInt(maxNewTokens)
        .put(promptHash().toArray())
        .array();
  }

  /** keccak256 of the prompt's UTF-8 bytes: where its text is found as content. */
  public Hash promptHash() {
    return Keccak.hash(promptBytes());
  }

  public byte[] promptBytes() {
    return prompt.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A request's {@link #preimage} read back: everything but the prompt, which is fetched by {@code
   * promptHash} and handed to {@link #withPrompt}.
   */
  public record Preimage(
      Hash model,
      Optional<Hash> adapter,
      Hash datanet,
      int topK,
      int maxNewTokens,
      Hash promptHash) {

    /**
     * @throws IllegalArgumentException when the bytes are not a request preimage
     */
    public static Preimage parse(byte[] bytes) {
      if (bytes.length != PREIMAGE_SIZE
          || !java.util.Arrays.equals(bytes, 0, TAG.length, TAG, 0, TAG.length)) {
        throw new IllegalArgumentException("not an ascribe/infer/v1 request preimage");
      }
      ByteBuffer in = ByteBuffer.wrap(bytes, TAG.length, bytes.length - TAG.length);
      Hash model = next(in);
      Hash adapter = next(in);
      Hash datanet = next(in);
      int topK = in.getInt();
      int maxNewTokens = in.getInt();
      return new Preimage(
          model,
          adapter.equals(Hash.ZERO) ? Optional.empty() : Optional.of(adapter),
          datanet,
          topK,
          maxNewTokens,
          next(in));
    }

    /**
     * The request, given its prompt.
     *
     * @throws IllegalArgumentException when the prompt is not the one the preimage names
     */
    public InferenceRequest withPrompt(byte[] prompt) {
      if (!Keccak.hash(prompt).equals(promptHash)) {
        throw new IllegalArgumentException("the prompt's hash is not the request's");
      }
      return new InferenceRequest(
          new String(prompt, StandardCharsets.UTF_8), model, adapter, datanet, topK, maxNewTokens);
    }

    private static Hash next(ByteBuffer in) {
      byte[] b = new byte[Hash.SIZE];
      in.get(b);
      return Hash.wrap(b);
    }
  }

  /** keccak256 of an answer's UTF-8 text: a receipt's output hash. */
  public static Hash outputHash(String answer) {
    return Keccak.hash(answer.getBytes(StandardCharsets.UTF_8));
  }
}
