package io.ascribe.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.core.ai.DataRecord;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.proto.Commit;
import io.ascribe.core.state.AnchoredObjectProof;
import io.ascribe.core.state.ObjectProofJson;
import io.ascribe.core.tx.SignedTransaction;
import io.ascribe.core.tx.TxBodies;
import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.DevnetGenesis;
import io.ascribe.genesis.Genesis;
import io.ascribe.ledger.Ledger;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.LedgerObject;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.exec.ExecutedBlock;
import io.ascribe.ledger.exec.TxExecutor;
import io.ascribe.node.rpc.RpcException;
import io.ascribe.node.rpc.RpcRegistry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data methods against a real ledger: shapes, paging, proofs and the errors callers see. */
class DataApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Genesis GENESIS = DevnetGenesis.create();
  private static final PrivateKey OWNER = DevnetGenesis.devAccounts().get(1);
  private static final BigInteger FEE = GENESIS.params().minFee();

  @TempDir Path dir;
  private Ledger ledger;
  private final RpcRegistry registry = new RpcRegistry();
  private long nonce;
  private long time = GENESIS.genesisTime().toEpochMilli();
  private Hash datanet;

  @BeforeEach
  void open() {
    ledger = Ledger.open(dir, GENESIS);
    new DataApi(ledger).register(registry);
    datanet = TxExecutor.objectId("datanet", OWNER.address(), nonce);
    commit(
        List.of(
            TxBodies.createDatanet(
                GENESIS.chainId(),
                nonce++,
                FEE,
                "fortunes",
                TxBodies.datanetRules(Amount.ONE_OPEN, "text/v1", 8_000))));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private void commit(List<io.ascribe.core.proto.TxBody> bodies) {
    List<SignedTransaction> txs = new ArrayList<>();
    bodies.forEach(b -> txs.add(SignedTransaction.sign(b, OWNER)));
    ExecutedBlock block =
        ledger.propose(txs, time += 1000, DevnetGenesis.devAccounts().get(0).address());
    assertThat(block.receipts()).allSatisfy(r -> assertThat(r.error()).isEmpty());
    ledger.commit(block, Commit.newBuilder().setHeight(block.height()).build());
  }

  /** Contributes {@code count} distinct records in one block and returns their ids. */
  private List<Hash> contribute(int count) {
    List<io.ascribe.core.proto.TxBody> bodies = new ArrayList<>();
    List<Hash> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      DataRecord record =
          new DataRecord.Text("fortune " + i + " " + Integer.toBinaryString(i * 7919));
      ids.add(TxExecutor.objectId("contribution", OWNER.address(), nonce));
      bodies.add(
          TxBodies.contribute(
              GENESIS.chainId(),
              nonce++,
              FEE,
              datanet,
              record.contentHash(),
              record.canonicalBytes().length,
              MinHash.ofText(record.text()).values().stream().mapToLong(Long::longValue).toArray(),
              Amount.ONE_OPEN));
    }
    commit(bodies);
    return ids;
  }

  private JsonNode call(String method, Object... params) {
    return registry.find(method).orElseThrow().call(JSON.valueToTree(params));
  }

  private static int quantity(JsonNode node) {
    return Integer.decode(node.asText());
  }

  @Test
  void aDatanetComesWithItsRulesCountAndAProofOfExactlyWhatIsShown() {
    contribute(2);

    JsonNode json = call("ascribe_getDatanet", datanet.toHex(), true);

    assertThat(json.path("id").asText()).isEqualTo(datanet.toHex());
    assertThat(json.path("name").asText()).isEqualTo("fortunes");
    assertThat(json.path("owner").asText()).isEqualTo(OWNER.address().toString());
    assertThat(json.path("minBond").asText()).isEqualTo("0xde0b6b3a7640000");
    assertThat(quantity(json.path("nearDuplicateBps"))).isEqualTo(8_000);
    assertThat(quantity(json.path("contributions"))).isEqualTo(2);
    AnchoredObjectProof proof = ObjectProofJson.fromJson(json.path("proof"));
    Hash root = Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray());
    assertThat(proof.stateRoot()).isEqualTo(root);
    assertThat(proof.proof().verify(root)).isTrue();
    assertThat(proof.proof().key()).isEqualTo(Datanet.key(datanet));
    assertThat(LedgerObject.decode(proof.proof().object().toByteArray()))
        .isEqualTo(ledger.datanet(datanet).orElseThrow());
    assertThat(call("ascribe_getDatanet", datanet.toHex()).has("proof")).isFalse();
  }

  @Test
  void contributionsArePagedAHundredAtATimeInCreationOrder() {
    List<Hash> ids = contribute(101).stream().sorted().toList();

    JsonNode first = call("ascribe_listContributions", datanet.toHex());
    JsonNode second = call("ascribe_listContributions", datanet.toHex(), "0x1", true);

    assertThat(quantity(first.path("total"))).isEqualTo(101);
    assertThat(first.path("contributions")).hasSize(100);
    assertThat(first.path("nextPage").asText()).isEqualTo("0x1");
    assertThat(second.path("contributions")).hasSize(1);
    assertThat(second.path("nextPage").isNull()).isTrue();
    assertThat(first.path("contributions").get(0).path("id").asText())
        .isEqualTo(ids.get(0).toHex());
    JsonNode last = second.path("contributions").get(0);
    assertThat(last.path("id").asText()).isEqualTo(ids.get(100).toHex());
    assertThat(last.path("status").asText()).isEqualTo("active");
    assertThat(
            ObjectProofJson.fromJson(last.path("proof"))
                .proof()
                .verify(Hash.copyOf(ledger.headHeader().getStateRoot().toByteArray())))
        .isTrue();
    assertThat(call("ascribe_listContributions", datanet.toHex(), "0x5").path("contributions"))
        .isEmpty();
    assertThat(call("ascribe_listDatanets").path("datanets")).hasSize(1);
  }

  @Test
  void aContributionAndAModelAreReadById() {
    Hash contribution = contribute(1).get(0);
    Hash model = TxExecutor.objectId("model", OWNER.address(), nonce);
    commit(
        List.of(
            TxBodies.registerModel(
                GENESIS.chainId(),
                nonce++,
                FEE,
                Keccak.hash(new byte[] {1}),
                Keccak.hash(new byte[] {2}),
                "LlamaForCausalLM",
                "apache-2.0")));

    assertThat(call("ascribe_getContribution", contribution.toHex()).path("datanet").asText())
        .isEqualTo(datanet.toHex());
    JsonNode json = call("ascribe_getModel", model.toHex(), true);
    assertThat(json.path("architecture").asText()).isEqualTo("LlamaForCausalLM");
    assertThat(json.path("licence").asText()).isEqualTo("apache-2.0");
    assertThat(json.path("weightsHash").asText()).isEqualTo(Keccak.hash(new byte[] {1}).toHex());
  }

  @Test
  void unknownIdsAndMalformedParamsAreErrorsThatSayWhy() {
    Hash unknown = Keccak.hash(new byte[] {9});

    assertThatThrownBy(() -> call("ascribe_getDatanet", unknown.toHex()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(ChainApi.NOT_FOUND))
        .hasMessage("no datanet has the id " + unknown + ": list them with ascribe_listDatanets");
    assertThatThrownBy(() -> call("ascribe_getContribution", unknown.toHex()))
        .hasMessageStartingWith("no contribution has the id " + unknown);
    assertThatThrownBy(() -> call("ascribe_getModel", unknown.toHex()))
        .hasMessageStartingWith("no model has the id " + unknown);
    assertThatThrownBy(() -> call("ascribe_listContributions", unknown.toHex()))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(ChainApi.NOT_FOUND));

    assertThatThrownBy(() -> call("ascribe_getDatanet", "0x1234"))
        .isInstanceOfSatisfying(
            RpcException.class, e -> assertThat(e.code()).isEqualTo(RpcException.INVALID_PARAMS))
        .hasMessageContaining("parameter 0 (datanetId) must be a 32-byte 0x-prefixed hex hash");
    assertThatThrownBy(() -> call("ascribe_listContributions", datanet.toHex(), "1"))
        .hasMessageContaining("parameter 1 (page)");
    assertThatThrownBy(() -> call("ascribe_listDatanets", "0x7fffffff"))
        .hasMessageContaining("beyond any listing");
    assertThatThrownBy(() -> call("ascribe_getModel", datanet.toHex(), "yes"))
        .hasMessageContaining("parameter 1 (withProof) must be true or false");
  }
}
