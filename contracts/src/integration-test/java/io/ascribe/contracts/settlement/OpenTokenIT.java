package io.ascribe.contracts.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.Anvil;
import io.ascribe.contracts.generated.OpenToken;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * OPEN on a real EVM (anvil): its name, symbol and decimals, a supply fixed at deployment (no
 * function in its ABI can add to it), and EIP-2612 permit signed with a core key over the EIP-712
 * digest built by {@link Eip712Domain}, as validators sign epoch roots: a right permit lets the
 * spender move the owner's OPEN, and a permit by the wrong key, past its deadline or replayed is
 * reverted and changes neither allowance nor nonce.
 */
class OpenTokenIT {
  static final BigInteger OPEN = BigInteger.TEN.pow(18);
  static final BigInteger SUPPLY = OPEN.multiply(BigInteger.valueOf(1_000_000));

  /** EIP-2612's struct, as OpenZeppelin's ERC20Permit hashes it. */
  static final Hash PERMIT_TYPEHASH =
      Keccak.hash(
          "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
              .getBytes(StandardCharsets.UTF_8));

  /** The OPEN state changes an ERC-20 with EIP-2612 has; none of them creates tokens. */
  static final Set<String> STATE_CHANGING = Set.of("approve", "permit", "transfer", "transferFrom");

  static Anvil anvil;
  static SettlementClient deployer;

  /** Holds the supply and signs permits; it never sends a transaction (it has no ETH). */
  final PrivateKey owner = Validators.key("token-owner");

  /** Submits the owner's permit and spends the allowance, paying the gas. */
  final PrivateKey spender = Validators.key("token-spender");

  final Address recipient = Validators.key("token-recipient").address();
  Address token;
  OpenToken reader;
  SettlementClient spenderClient;

  @BeforeAll
  static void startAnvil() {
    anvil = Anvil.start();
    deployer = new SettlementClient(anvil.web3j(), Anvil.DEPLOYER);
  }

  @AfterAll
  static void stopAnvil() {
    if (anvil != null) {
      anvil.close();
    }
  }

  @BeforeEach
  void deploy() {
    token = deployer.deployToken(owner.address(), SUPPLY);
    reader =
        OpenToken.load(
            token.toString(),
            anvil.web3j(),
            new ReadonlyTransactionManager(anvil.web3j(), token.toString()),
            new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    fundWithEth(spender.address());
    spenderClient = new SettlementClient(anvil.web3j(), spender);
  }

  /** Gives {@code account} 100 ETH for gas (anvil_setBalance). */
  static void fundWithEth(Address account) {
    anvil.rpc(
        "anvil_setBalance",
        List.of(account.toString(), "0x" + BigInteger.TEN.pow(20).toString(16)));
  }

  /** A permit as EIP-2612 defines it, with the EIP-712 digest its owner signs. */
  record Permit(Address owner, Address spender, BigInteger value, long nonce, BigInteger deadline) {
    Hash structHash() {
      return Keccak.hash(
          AbiEncoding.encode(
              PERMIT_TYPEHASH.toArray(),
              AbiEncoding.address(owner),
              AbiEncoding.address(spender),
              AbiEncoding.uint256(value),
              AbiEncoding.uint256(BigInteger.valueOf(nonce)),
              AbiEncoding.uint256(deadline)));
    }
  }

  /** OpenToken's signing domain: ERC20Permit("OPEN") is EIP712("OPEN", "1"). */
  Eip712Domain domain() {
    return new Eip712Domain("OPEN", "1", Anvil.CHAIN_ID, token);
  }

  /** The call data of {@code permit} signed by {@code signer} over this token's digest. */
  String permitCall(Permit permit, PrivateKey signer) {
    return permitCall(
        permit, ValidatorSignatures.sign(signer, domain().digest(permit.structHash())));
  }

  /** The call data of {@code permit} with {@code signature} (65 bytes r ‖ s ‖ v, v = 27/28). */
  String permitCall(Permit permit, byte[] signature) {
    return reader
        .permit(
            permit.owner().toString(),
            permit.spender().toString(),
            permit.value(),
            permit.deadline(),
            BigInteger.valueOf(signature[64]),
            Arrays.copyOfRange(signature, 0, 32),
            Arrays.copyOfRange(signature, 32, 64))
        .encodeFunctionCall();
  }

  Permit permit(BigInteger value, BigInteger deadline) {
    return new Permit(owner.address(), spender.address(), value, nonce(), deadline);
  }

  long nonce() {
    return call(reader.nonces(owner.address().toString())).longValueExact();
  }

  BigInteger allowance() {
    return call(reader.allowance(owner.address().toString(), spender.address().toString()));
  }

  BigInteger inAnHour() {
    return latestTimestamp().add(BigInteger.valueOf(3600));
  }

  BigInteger latestTimestamp() {
    try {
      return anvil
          .web3j()
          .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
          .send()
          .getBlock()
          .getTimestamp();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String transferFromCall(BigInteger amount) {
    return reader
        .transferFrom(owner.address().toString(), recipient.toString(), amount)
        .encodeFunctionCall();
  }

  static <T> T call(RemoteFunctionCall<T> call) {
    try {
      return call.send();
    } catch (Exception e) {
      throw new AssertionError("call to OpenToken failed: " + e.getMessage(), e);
    }
  }

  /**
   * The spender's permit is refused in simulation with {@code error}, and also when mined anyway
   * (status 0); neither changes the allowance or the owner's nonce.
   */
  void assertPermitRefused(String data, String error) {
    BigInteger allowance = allowance();
    long nonce = nonce();
    assertThatThrownBy(() -> spenderClient.send(token, data))
        .isInstanceOfSatisfying(
            ContractRevertedException.class, e -> assertThat(e.errorName()).isEqualTo(error));
    TransactionReceipt mined =
        spenderClient.sendUnchecked(token, data, BigInteger.valueOf(200_000));
    assertThat(mined.isStatusOK()).isFalse();
    assertThat(allowance()).isEqualTo(allowance);
    assertThat(nonce()).isEqualTo(nonce);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void openHasEighteenDecimalsAndItsWholeSupplyGoesToTheNamedHolder() {
    assertThat(call(reader.name())).isEqualTo("OPEN");
    assertThat(call(reader.symbol())).isEqualTo("OPEN");
    assertThat(call(reader.decimals())).isEqualTo(BigInteger.valueOf(18));
    assertThat(call(reader.totalSupply())).isEqualTo(SUPPLY);
    assertThat(deployer.balanceOf(token, owner.address())).isEqualTo(SUPPLY);
    // The deployer sent the deployment but named another holder: it gets nothing.
    assertThat(deployer.balanceOf(token, deployer.sender())).isZero();

    // deployAll names its own sender as the holder.
    Address own =
        deployer
            .deployAll(SUPPLY, Validators.equalPower(Validators.keys("token-v-", 1)), OPEN)
            .token();
    assertThat(deployer.balanceOf(own, deployer.sender())).isEqualTo(SUPPLY.subtract(OPEN));
  }

  @Test
  void noFunctionOfTheAbiCreatesTokens() throws IOException, IllegalAccessException {
    JsonNode abi = new ObjectMapper().readTree(Path.of("build", "OpenToken.json").toFile());
    Set<String> functions = new TreeSet<>();
    Set<String> stateChanging = new TreeSet<>();
    for (JsonNode entry : abi.get("abi")) {
      if (entry.path("type").asText().equals("function")) {
        String name = entry.get("name").asText();
        functions.add(name);
        String mutability = entry.get("stateMutability").asText();
        if (!mutability.equals("view") && !mutability.equals("pure")) {
          stateChanging.add(name);
        }
      }
    }
    // A mint (or anything else that writes) would show up here.
    assertThat(stateChanging).containsExactlyInAnyOrderElementsOf(STATE_CHANGING);
    assertThat(functions).noneMatch(f -> f.toLowerCase(java.util.Locale.ROOT).contains("mint"));
    // The wrapper Java code calls the contract through is generated from that ABI: its
    // functions are the ABI's.
    Set<String> wrapped = new TreeSet<>();
    for (java.lang.reflect.Field field : OpenToken.class.getDeclaredFields()) {
      if (field.getName().startsWith("FUNC_")) {
        wrapped.add((String) field.get(null));
      }
    }
    assertThat(wrapped).isEqualTo(functions);

    // Every state-changing function used at least once: the supply has not moved.
    Permit permit = permit(OPEN, inAnHour());
    spenderClient.send(token, permitCall(permit, owner));
    spenderClient.send(token, transferFromCall(OPEN));
    fundWithEth(recipient);
    SettlementClient recipientClient =
        new SettlementClient(anvil.web3j(), Validators.key("token-recipient"));
    recipientClient.approve(token, spender.address(), OPEN);
    recipientClient.transfer(token, owner.address(), OPEN);
    assertThat(call(reader.totalSupply())).isEqualTo(SUPPLY);
    assertThat(deployer.balanceOf(token, owner.address())).isEqualTo(SUPPLY);
  }

  @Test
  void digestBuiltInJavaIsTheTokensDomain() {
    assertThat(Hash.wrap(call(reader.DOMAIN_SEPARATOR()))).isEqualTo(domain().separator());
    var onChain = call(reader.eip712Domain());
    assertThat(onChain.component2()).isEqualTo(domain().name());
    assertThat(onChain.component3()).isEqualTo(domain().version());
    assertThat(onChain.component4()).isEqualTo(BigInteger.valueOf(Anvil.CHAIN_ID));
    assertThat(Address.fromHex(onChain.component5())).isEqualTo(token);
  }

  @Test
  void aPermitSignedByTheOwnerSetsTheAllowanceAndTheSpenderMovesTheTokens() throws IOException {
    assertThat(allowance()).isZero();
    assertThat(nonce()).isZero();
    // Without a permit the spender may move nothing.
    assertThatThrownBy(() -> spenderClient.send(token, transferFromCall(OPEN)))
        .isInstanceOfSatisfying(
            ContractRevertedException.class,
            e -> assertThat(e.errorName()).isEqualTo("ERC20InsufficientAllowance"));

    BigInteger value = OPEN.multiply(BigInteger.TEN);
    TransactionReceipt receipt =
        spenderClient.send(token, permitCall(permit(value, inAnHour()), owner));
    assertThat(allowance()).isEqualTo(value);
    assertThat(nonce()).isOne();
    assertThat(OpenToken.getApprovalEvents(receipt))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(Address.fromHex(e.owner)).isEqualTo(owner.address());
              assertThat(Address.fromHex(e.spender)).isEqualTo(spender.address());
              assertThat(e.value).isEqualTo(value);
            });

    BigInteger moved = OPEN.multiply(BigInteger.valueOf(4));
    spenderClient.send(token, transferFromCall(moved));
    assertThat(deployer.balanceOf(token, recipient)).isEqualTo(moved);
    assertThat(deployer.balanceOf(token, owner.address())).isEqualTo(SUPPLY.subtract(moved));
    assertThat(allowance()).isEqualTo(value.subtract(moved));
    // No more than the permit allowed.
    assertThatThrownBy(() -> spenderClient.send(token, transferFromCall(value)))
        .isInstanceOfSatisfying(
            ContractRevertedException.class,
            e -> assertThat(e.errorName()).isEqualTo("ERC20InsufficientAllowance"));
    // The owner paid no gas: it never sent a transaction.
    assertThat(
            anvil
                .web3j()
                .ethGetTransactionCount(
                    owner.address().toString(), DefaultBlockParameterName.LATEST)
                .send()
                .getTransactionCount())
        .isZero();
  }

  @Test
  void aPermitSignedByAnotherKeyOrForOtherTermsIsRefused() {
    BigInteger value = OPEN.multiply(BigInteger.TEN);
    Permit permit = permit(value, inAnHour());
    // The spender signs the owner's permit for itself.
    assertPermitRefused(permitCall(permit, spender), "ERC2612InvalidSigner");
    // A key outside the deal.
    assertPermitRefused(
        permitCall(permit, Validators.key("token-stranger")), "ERC2612InvalidSigner");
    // The owner's signature, submitted with a larger value than it signed.
    byte[] signature = ValidatorSignatures.sign(owner, domain().digest(permit.structHash()));
    Permit inflated =
        new Permit(
            owner.address(),
            spender.address(),
            value.add(BigInteger.ONE),
            permit.nonce(),
            permit.deadline());
    assertPermitRefused(permitCall(inflated, signature), "ERC2612InvalidSigner");
    // Signed under another token's domain (the same contract at another address).
    Address twin = deployer.deployToken(owner.address(), SUPPLY);
    byte[] forTwin =
        ValidatorSignatures.sign(
            owner, new Eip712Domain("OPEN", "1", Anvil.CHAIN_ID, twin).digest(permit.structHash()));
    String crossDomain = permitCall(permit, forTwin);
    assertPermitRefused(crossDomain, "ERC2612InvalidSigner");

    assertThat(allowance()).isZero();
    assertThat(nonce()).isZero();
    // The same terms signed by the owner still work: nothing above used up its nonce.
    spenderClient.send(token, permitCall(permit, owner));
    assertThat(allowance()).isEqualTo(value);
  }

  @Test
  void aPermitPastItsDeadlineIsRefused() {
    BigInteger deadline = latestTimestamp().add(BigInteger.valueOf(60));
    String data = permitCall(permit(OPEN, deadline), owner);
    anvil.rpc("evm_increaseTime", List.of(120));
    anvil.mine(1);
    assertThat(latestTimestamp()).isGreaterThan(deadline);
    assertPermitRefused(data, "ERC2612ExpiredSignature");
    assertThat(allowance()).isZero();
    assertThat(nonce()).isZero();
  }

  @Test
  void aUsedPermitCannotBeReplayed() {
    BigInteger value = OPEN.multiply(BigInteger.TEN);
    String data = permitCall(permit(value, inAnHour()), owner);
    spenderClient.send(token, data);
    BigInteger moved = OPEN.multiply(BigInteger.valueOf(6));
    spenderClient.send(token, transferFromCall(moved));
    assertThat(allowance()).isEqualTo(value.subtract(moved));

    // Replayed, it would restore the allowance to the full value: its nonce is spent.
    assertPermitRefused(data, "ERC2612InvalidSigner");
    assertThat(allowance()).isEqualTo(value.subtract(moved));
    assertThat(nonce()).isOne();
    // A new permit needs the next nonce.
    spenderClient.send(token, permitCall(permit(value, inAnHour()), owner));
    assertThat(allowance()).isEqualTo(value);
    assertThat(nonce()).isEqualTo(2);
  }
}
