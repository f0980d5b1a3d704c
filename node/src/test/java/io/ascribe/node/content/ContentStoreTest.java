package io.ascribe.node.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content store on a real RocksDB in a temporary directory. */
class ContentStoreTest {
  @TempDir Path dir;
  private ContentStore store;

  @BeforeEach
  void open() {
    store = ContentStore.open(dir.resolve("content"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putReturnsTheKeccakAndTheBytesComeBackByIt() {
    byte[] bytes = text("{\"text\":\"The Lord is my shepherd\"}");
    Hash hash = store.put(bytes);

    assertThat(hash).isEqualTo(Keccak.hash(bytes));
    assertThat(store.has(hash)).isTrue();
    assertThat(store.get(hash)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
    Hash other = Keccak.hash(text("never stored"));
    assertThat(store.has(other)).isFalse();
    assertThat(store.get(other)).isEmpty();
  }

  @Test
  void puttingTheSameBytesAgainChangesNothing() {
    byte[] bytes = text("same record");
    Hash first = store.put(bytes);
    Hash second = store.put(bytes.clone());
    store.putVerified(first, bytes.clone());

    assertThat(second).isEqualTo(first);
    assertThat(store.get(first)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
  }

  @Test
  void emptyBytesAreContentToo() {
    Hash hash = store.put(new byte[0]);
    assertThat(hash).isEqualTo(Keccak.hash(new byte[0]));
    assertThat(store.get(hash)).hasValueSatisfying(b -> assertThat(b).isEmpty());
  }

  @Test
  void bytesThatDoNotMatchTheExpectedHashAreRefusedAndNothingIsStored() {
    byte[] claimed = text("what the ledger recorded");
    byte[] offered = text("something else");
    Hash expected = Keccak.hash(claimed);

    assertThatThrownBy(() -> store.putVerified(expected, offered))
        .isInstanceOf(ContentMismatchException.class)
        .hasMessageContaining(expected.toString())
        .hasMessageContaining(Keccak.hash(offered).toString())
        .hasMessageContaining("nothing was stored")
        .satisfies(
            e -> {
              ContentMismatchException m = (ContentMismatchException) e;
              assertThat(m.expected()).isEqualTo(expected);
              assertThat(m.actual()).isEqualTo(Keccak.hash(offered));
            });
    assertThat(store.has(expected)).isFalse();
    assertThat(store.has(Keccak.hash(offered))).isFalse();

    store.putVerified(expected, claimed);
    assertThat(store.get(expected)).hasValueSatisfying(b -> assertThat(b).isEqualTo(claimed));
  }

  @Test
  void aBlobOverTheLimitIsRefusedWithTheLimitNamed() {
    byte[] atLimit = new byte[ContentStore.MAX_BLOB_BYTES];
    new Random(7).nextBytes(atLimit);
    Hash stored = store.put(atLimit);
    assertThat(store.get(stored)).hasValueSatisfying(b -> assertThat(b).isEqualTo(atLimit));

    byte[] over = new byte[ContentStore.MAX_BLOB_BYTES + 1];
    assertThatThrownBy(() -> store.put(over))
        .isInstanceOf(ContentTooLargeException.class)
        .hasMessageContaining((ContentStore.MAX_BLOB_BYTES + 1) + " bytes")
        .hasMessageContaining("limit of " + ContentStore.MAX_BLOB_BYTES);
    assertThatThrownBy(() -> store.putVerified(Keccak.hash(over), over))
        .isInstanceOf(ContentTooLargeException.class);
    assertThat(store.has(Keccak.hash(over))).isFalse();
  }

  @Test
  void whatWasStoredIsThereAfterReopening() {
    Random random = new Random(42);
    byte[] small = text("kept across restarts");
    byte[] large = new byte[3 * 1024 * 1024 + 17];
    random.nextBytes(large);
    Hash a = store.put(small);
    Hash b = store.put(large);
    store.close();

    store = ContentStore.open(dir.resolve("content"));
    assertThat(store.get(a)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(small));
    assertThat(store.get(b)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(large));
  }

  @Test
  void aDirectoryInUseIsRefusedWithTheFixNamed() {
    assertThatThrownBy(() -> ContentStore.open(dir.resolve("content")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("in use by another ascribe node");
  }
}
