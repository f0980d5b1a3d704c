package io.ascribe.ledger;

import static io.ascribe.ledger.LedgerFixture.CHAIN_ID;
import static io.ascribe.ledger.LedgerFixture.MIN_FEE;
import static io.ascribe.ledger.LedgerFixture.USERS;
import static io.ascribe.ledger.LedgerFixture.VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.proto.TxBody;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxExecutor;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the node serves about the data side: datanets and contributions listed in creation order,
 * page by page, and each object proven against the head's state root.
 */
class DataQueriesTest {
  private static final BigInteger BOND = Amount.ONE_OPEN;

  @TempDir Path dir;
  private Ledger ledger;
  private long time = 1_800_000_000_000L;
  private final Map<Address, Long> nonces = new HashMap<>();

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, LedgerFixture.genesis());
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  /** Signs {@code body} (built with the key's next nonce) and returns the id it creates. */
  private Hash send(List<SignedTransaction> block, PrivateKey key, String kind, BodyAt body) {
    long nonce = nonces.merge(key.address(), 1L, Long::sum) - 1;
    block.add(SignedTransaction.sign(body.at(nonce), key));
    return TxExecutor.objectId(kind, key.address(), nonce);
  }

  private interface BodyAt {
    TxBody at(long nonce);
  }

  private void commit(List<SignedTransaction> txs) {
    ExecutedBlock block = ledger.propose(txs, time += 1000, VALIDATOR.address());
    assertThat(block.receipts()).allSatisfy(r -> assertThat(r.error()).isEmpty());
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
  }

  private Hash datanet(List<SignedTransaction> block, PrivateKey owner, String name) {
    return send(
        block,
        owner,
        "datanet",
        n ->
            TxBodies.createDatanet(
                CHAIN_ID, n, MIN_FEE, name, TxBodies.datanetRules(BOND, "text/v1", 8_000)));
  }

  private Hash contribution(List<SignedTransaction> block, PrivateKey from, Hash datanet, int i) {
    String text = "record number " + i + " of the queries test, with words enough to shingle";
    return send(
        block,
        from,
        "contribution",
        n ->
            TxBodies.contribute(
                CHAIN_ID,
                n,
                MIN_FEE,
                datanet,
                Keccak.hash(text.getBytes(StandardCharsets.UTF_8)),
                text.length(),
                MinHash.ofText(text).values().stream().mapToLong(Long::longValue).toArray(),
                BOND));
  }

  @Test
  void datanetsAndContributionsAreListedInCreationOrderPageByPage() {
    List<SignedTransaction> first = new ArrayList<>();
    Hash a = datanet(first, USERS.get(0), "a");
    Hash b = datanet(first, USERS.get(1), "b");
    commit(first);
    List<Hash> expected = new ArrayList<>();
    for (int block = 0; block < 3; block++) {
      List<SignedTransaction> txs = new ArrayList<>();
      List<Hash> created = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        created.add(contribution(txs, USERS.get(i), a, block * 3 + i));
      }
      contribution(txs, USERS.get(2), b, 100 + block);
      commit(txs);
      // Within a block, by id: the order does not depend on how the block was put together.
      expected.addAll(created.stream().sorted().toList());
    }
    List<SignedTransaction> last = new ArrayList<>();
    Hash c = datanet(last, USERS.get(0), "c");
    commit(last);

    assertThat(ledger.datanets(0, 10).items().stream().map(Datanet::id))
        .containsExactlyElementsOf(concat(List.of(a, b).stream().sorted().toList(), List.of(c)));
    assertThat(ledger.datanets(2, 10).items()).extracting(Datanet::name).containsExactly("c");
    assertThat(ledger.datanets(5, 10).items()).isEmpty();
    assertThat(ledger.datanets(5, 10).total()).isEqualTo(3);
    List<Hash> paged = new ArrayList<>();
    for (int offset = 0; offset < 9; offset += 4) {
      var page = ledger.contributions(a, offset, 4);
      assertThat(page.total()).isEqualTo(9);
      page.items().forEach(x -> paged.add(x.id()));
    }
    assertThat(paged).containsExactlyElementsOf(expected);
    assertThat(ledger.contributionCount(b)).isEqualTo(3);
    assertThat(ledger.contributionCount(c)).isZero();
    assertThat(ledger.contributions(Keccak.hash(new byte[] {5}), 0, 10).total()).isZero();

    // Rebuilt from the store, the listings are the same.
    ledger.close();
    ledger = Ledger.open(dir, LedgerFixture.genesis());
    assertThat(ledger.contributions(a, 0, 100).items().stream().map(Contribution::id))
        .containsExactlyElementsOf(expected);
    assertThat(ledger.datanets(0, 10).items().get(2).id()).isEqualTo(c);
  }

  @Test
  void eachObjectIsProvenAgainstTheHeadsStateRoot() {
    List<SignedTransaction> first = new ArrayList<>();
    Hash datanet = datanet(first, USERS.get(0), "proven");
    Hash model =
        send(
            first,
            USERS.get(1),
            "model",
            n ->
                TxBodies.registerModel(
                    CHAIN_ID,
                    n,
                    MIN_FEE,
                    Keccak.hash(new byte[] {1}),
                    Keccak.hash(new byte[] {2}),
                    "LlamaForCausalLM",
                    "apache-2.0"));
    commit(first);
    List<SignedTransaction> second = new ArrayList<>();
    Hash contribution = contribution(second, USERS.get(2), datanet, 1);
    commit(second);
    Hash root = Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray());

    for (LedgerObject object :
        List.of(
            ledger.datanet(datanet).orElseThrow(),
            ledger.model(model).orElseThrow(),
            ledger.contribution(contribution).orElseThrow())) {
      AnchoredObjectProof anchored = ledger.objectProof(object.key()).orElseThrow();

      assertThat(anchored.height()).isEqualTo(ledger.height());
      assertThat(anchored.stateRoot()).isEqualTo(root);
      assertThat(anchored.proof().verify(root)).as("proof of %s", object).isTrue();
      assertThat(LedgerObject.decode(anchored.proof().object().toByteArray())).isEqualTo(object);
    }
    assertThat(ledger.objectProof(Model.key(datanet))).isEmpty();
  }

  private static List<Hash> concat(List<Hash> a, List<Hash> b) {
    List<Hash> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
