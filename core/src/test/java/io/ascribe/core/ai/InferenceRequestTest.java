package io.ascribe.core.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InferenceRequestTest {
  private static final Hash MODEL = Keccak.hash(new byte[] {1});
  private static final Hash DATANET = Keccak.hash(new byte[] {2});
  private static final Hash ADAPTER = Keccak.hash(new byte[] {3});

  @Test
  void theHashIsTheDocumentedLayout() {
    InferenceRequest r =
        new InferenceRequest("Who begat Enos?", MODEL, Optional.of(ADAPTER), DATANET, 4, 64);
    byte[] layout =
        ByteBuffer.allocate(16 + 32 * 3 + 8 + 32)
            .put("ascribe/infer/v1".getBytes(StandardCharsets.US_ASCII))
            .put(MODEL.toArray())
            .put(ADAPTER.toArray())
            .put(DATANET.toArray())
            .putInt(4)
            .putInt(64)
            .put(Keccak.hash("Who begat Enos?".getBytes(StandardCharsets.UTF_8)).toArray())
            .array();

    assertThat(r.hash()).isEqualTo(Keccak.hash(layout));
  }

  @Test
  void aPreimageAndItsPromptGiveTheRequestBack() {
    InferenceRequest r =
        new InferenceRequest("Who begat Enos?", MODEL, Optional.of(ADAPTER), DATANET, 4, 64);
    InferenceRequest plain = new InferenceRequest("q", MODEL, Optional.empty(), DATANET, 2, 9);

    assertThat(Keccak.hash(r.preimage())).isEqualTo(r.hash());
    assertThat(InferenceRequest.Preimage.parse(r.preimage()).withPrompt(r.promptBytes()))
        .isEqualTo(r);
    assertThat(InferenceRequest.Preimage.parse(plain.preimage()).withPrompt(plain.promptBytes()))
        .isEqualTo(plain);
    assertThatThrownBy(
            () -> InferenceRequest.Preimage.parse(r.preimage()).withPrompt(plain.promptBytes()))
        .hasMessageContaining("prompt's hash");
    assertThatThrownBy(() -> InferenceRequest.Preimage.parse(new byte[10]))
        .hasMessageContaining("not an ascribe/infer/v1 request preimage");
  }

  @Test
  void everyFieldChangesTheHash() {
    InferenceRequest r = new InferenceRequest("q", MODEL, Optional.empty(), DATANET, 4, 64);
    assertThat(new InferenceRequest("q ", MODEL, Optional.empty(), DATANET, 4, 64).hash())
        .isNotEqualTo(r.hash());
    assertThat(new InferenceRequest("q", MODEL, Optional.of(ADAPTER), DATANET, 4, 64).hash())
        .isNotEqualTo(r.hash());
    assertThat(new InferenceRequest("q", MODEL, Optional.empty(), DATANET, 5, 64).hash())
        .isNotEqualTo(r.hash());
    assertThat(new InferenceRequest("q", MODEL, Optional.empty(), DATANET, 4, 65).hash())
        .isNotEqualTo(r.hash());
    assertThat(new InferenceRequest("q", DATANET, Optional.empty(), MODEL, 4, 64).hash())
        .isNotEqualTo(r.hash());
  }

  @Test
  void outOfRangeRequestsAreRefusedWithTheRange() {
    assertThatThrownBy(() -> new InferenceRequest(" ", MODEL, Optional.empty(), DATANET, 4, 64))
        .hasMessageContaining("prompt is empty");
    assertThatThrownBy(() -> new InferenceRequest("q", MODEL, Optional.empty(), DATANET, 33, 64))
        .hasMessageContaining("[1, 32]");
    assertThatThrownBy(() -> new InferenceRequest("q", MODEL, Optional.empty(), DATANET, 4, 0))
        .hasMessageContaining("maxNewTokens");
  }
}
