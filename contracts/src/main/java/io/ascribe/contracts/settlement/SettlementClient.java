package io.ascribe.contracts.settlement;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ascribe.contracts.generated.OpenBridge;
import io.ascribe.contracts.generated.OpenToken;
import io.ascribe.contracts.generated.RewardDistributor;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.settlement.SettlementMessages;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * Talks to the settlement contracts over JSON-RPC with Web3j, sending EIP-1559 transactions signed
 * by one EVM account. Calls go through the generated wrappers (io.ascribe.contracts.generated) for
 * their ABI encoding; transactions are simulated first ({@code eth_call}), so one that would revert
 * fails with a {@link ContractRevertedException} naming the contract's error and costs no gas.
 */
public final class SettlementClient {
  private static final Duration RECEIPT_POLL = Duration.ofMillis(50);
  private static final ContractGasProvider NO_GAS =
      new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

  /**
   * The contracts' creation bytecode, read at run time from the committed artifacts. Not the
   * wrappers' {@code BINARY}: javac copies such a constant into this class, and the incremental
   * build does not recompile this file when only build/ changed, so it would deploy stale code.
   */
  private static final Map<String, String> BYTECODE = loadBytecode();

  private final Web3j web3j;
  private final Credentials credentials;
  private final Address sender;
  private final long chainId;
  private final ReadonlyTransactionManager reader;
  private final Duration receiptTimeout;

  public SettlementClient(Web3j web3j, PrivateKey sender, Duration receiptTimeout) {
    this.web3j = web3j;
    this.credentials = Credentials.create(sender.toHex());
    this.sender = sender.address();
    this.chainId = rpc(() -> web3j.ethChainId().send()).getChainId().longValueExact();
    this.reader = new ReadonlyTransactionManager(web3j, this.sender.toString());
    this.receiptTimeout = receiptTimeout;
  }

  public SettlementClient(Web3j web3j, PrivateKey sender) {
    this(web3j, sender, Duration.ofMinutes(2));
  }

  public Address sender() {
    return sender;
  }

  public long chainId() {
    return chainId;
  }

  // ---------------------------------------------------------------------------------------------
  // Deployment

  /** Deploys OPEN with {@code supply} (in wei-units, 18 decimals) minted to {@code holder}. */
  public Address deployToken(Address holder, BigInteger supply) {
    return deploy(bytecode("OpenToken"), List.of(web3jAddress(holder), new Uint256(supply)));
  }

  public Address deployDistributor(Address token, ValidatorSet set) {
    return deploy(
        bytecode("RewardDistributor"),
        List.of(web3jAddress(token), addressArray(set.validators()), uintArray(set.powers())));
  }

  /** Deploys the bridge for {@code token}, taking its validators from {@code distributor}. */
  public Address deployBridge(Address token, Address distributor) {
    return deploy(bytecode("OpenBridge"), List.of(web3jAddress(token), web3jAddress(distributor)));
  }

  /**
   * Deploys the three contracts: OPEN with {@code supply} minted to this client's account, the
   * distributor for {@code validators}, funded with {@code rewardPool} OPEN, and the bridge.
   */
  public Contracts deployAll(BigInteger supply, ValidatorSet validators, BigInteger rewardPool) {
    Address token = deployToken(sender, supply);
    Address distributor = deployDistributor(token, validators);
    Address bridge = deployBridge(token, distributor);
    if (rewardPool.signum() > 0) {
      transfer(token, distributor, rewardPool);
    }
    return new Contracts(token, distributor, bridge);
  }

  // ---------------------------------------------------------------------------------------------
  // OPEN

  public TransactionReceipt transfer(Address token, Address to, BigInteger amount) {
    return send(token, token(token).transfer(to.toString(), amount));
  }

  public TransactionReceipt approve(Address token, Address spender, BigInteger amount) {
    return send(token, token(token).approve(spender.toString(), amount));
  }

  public BigInteger balanceOf(Address token, Address account) {
    return call(token(token).balanceOf(account.toString()));
  }

  // ---------------------------------------------------------------------------------------------
  // RewardDistributor

  /** The EIP-712 domain validators sign under for {@code distributor} on this chain. */
  public Eip712Domain domain(Address distributor) {
    return Eip712Domain.rewardDistributor(chainId, distributor);
  }

  /** The digest validators sign to accept {@code root} for {@code epoch} at {@code distributor}. */
  public Hash epochRootDigest(Address distributor, long epoch, Hash root) {
    return SettlementMessages.epochRootDigest(
        domain(distributor), epoch, root, validatorSetHash(distributor));
  }

  /** The digest the current validators sign to hand over to {@code next}. */
  public Hash validatorSetUpdateDigest(Address distributor, ValidatorSet next) {
    return SettlementMessages.validatorSetUpdateDigest(
        domain(distributor), validatorSetNonce(distributor), next);
  }

  public TransactionReceipt submitEpoch(
      Address distributor, long epoch, Hash root, List<byte[]> signatures) {
    return send(
        distributor,
        distributor(distributor)
            .submitEpoch(BigInteger.valueOf(epoch), root.toArray(), List.copyOf(signatures)));
  }

  public TransactionReceipt updateValidatorSet(
      Address distributor, ValidatorSet next, List<byte[]> signatures) {
    return send(
        distributor,
        distributor(distributor)
            .updateValidatorSet(
                next.validators().stream().map(Address::toString).toList(),
                next.powers(),
                List.copyOf(signatures)));
  }

  /** Claims for {@code account} (any account may send it; the OPEN goes to {@code account}). */
  public TransactionReceipt claim(
      Address distributor, Address account, BigInteger cumulativeAmount, List<Hash> proof) {
    return send(distributor, claimCall(distributor, account, cumulativeAmount, proof));
  }

  /** Claims {@code account}'s cumulative amount in {@code tree}, with its proof. */
  public TransactionReceipt claim(Address distributor, RewardsTree tree, Address account) {
    return claim(distributor, account, tree.amount(account), tree.proof(account));
  }

  /** The ABI-encoded call data of a claim, for sending it some other way. */
  public String claimCallData(
      Address distributor, Address account, BigInteger cumulativeAmount, List<Hash> proof) {
    return claimCall(distributor, account, cumulativeAmount, proof).encodeFunctionCall();
  }

  public long latestEpoch(Address distributor) {
    return call(distributor(distributor).latestEpoch()).longValueExact();
  }

  public Hash rewardsRoot(Address distributor) {
    return Hash.wrap(call(distributor(distributor).rewardsRoot()));
  }

  public Hash validatorSetHash(Address distributor) {
    return Hash.wrap(call(distributor(distributor).validatorSetHash()));
  }

  public long validatorSetNonce(Address distributor) {
    return call(distributor(distributor).validatorSetNonce()).longValueExact();
  }

  public BigInteger claimed(Address distributor, Address account) {
    return call(distributor(distributor).claimed(account.toString()));
  }

  /** The token the distributor pays its claims in. */
  public Address rewardToken(Address distributor) {
    return Address.fromHex(call(distributor(distributor).token()));
  }

  /**
   * What the claim mined in {@code receipt} paid {@code account}: the value of the reward token's
   * Transfer from the distributor to it (the distributor's Claimed event names only the new
   * cumulative amount).
   */
  public BigInteger paidByClaim(Address distributor, Address account, TransactionReceipt receipt) {
    String token = rewardToken(distributor).toString();
    BigInteger paid = BigInteger.ZERO;
    for (OpenToken.TransferEventResponse t : OpenToken.getTransferEvents(receipt)) {
      if (t.log.getAddress().equalsIgnoreCase(token)
          && t.from.equalsIgnoreCase(distributor.toString())
          && t.to.equalsIgnoreCase(account.toString())) {
        paid = paid.add(t.value);
      }
    }
    return paid;
  }

  // ---------------------------------------------------------------------------------------------
  // OpenBridge

  /** Approves the bridge for {@code amount} and deposits it for {@code ascribeRecipient}. */
  public TransactionReceipt deposit(
      Address token, Address bridge, BigInteger amount, Address ascribeRecipient) {
    approve(token, bridge, amount);
    return send(bridge, bridge(bridge).deposit(amount, ascribeRecipient.toString()));
  }

  public BigInteger depositCount(Address bridge) {
    return call(bridge(bridge).depositCount());
  }

  /** The digest validators sign to accept {@code root} as {@code epoch}'s withdrawals root. */
  public Hash withdrawalRootDigest(Address bridge, long epoch, Hash root) {
    Address distributor = Address.fromHex(call(bridge(bridge).validators()));
    return SettlementMessages.withdrawalRootDigest(
        Eip712Domain.openBridge(chainId, bridge), epoch, root, validatorSetHash(distributor));
  }

  public TransactionReceipt submitWithdrawals(
      Address bridge, long epoch, Hash root, List<byte[]> signatures) {
    return send(
        bridge,
        bridge(bridge)
            .submitWithdrawals(BigInteger.valueOf(epoch), root.toArray(), List.copyOf(signatures)));
  }

  /** Pays {@code account} its withdrawals up to the latest root (anyone may send it). */
  public TransactionReceipt withdraw(
      Address bridge, Address account, BigInteger cumulativeAmount, List<Hash> proof) {
    return send(
        bridge,
        bridge(bridge)
            .withdraw(
                account.toString(), cumulativeAmount, proof.stream().map(Hash::toArray).toList()));
  }

  /** Withdraws {@code account}'s cumulative amount in {@code tree}, with its proof. */
  public TransactionReceipt withdraw(Address bridge, RewardsTree tree, Address account) {
    return withdraw(bridge, account, tree.amount(account), tree.proof(account));
  }

  public long latestWithdrawalEpoch(Address bridge) {
    return call(bridge(bridge).latestWithdrawalEpoch()).longValueExact();
  }

  public BigInteger withdrawn(Address bridge, Address account) {
    return call(bridge(bridge).withdrawn(account.toString()));
  }

  // ---------------------------------------------------------------------------------------------
  // Transactions

  /**
   * Simulates the call, then sends it with the estimated gas and waits for its receipt.
   *
   * @throws ContractRevertedException when the simulation or the mined transaction reverts
   */
  public TransactionReceipt send(Address to, String data) {
    return sendChecked(to.toString(), data);
  }

  /**
   * Sends a transaction without simulating it first, with a fixed gas limit, and returns its
   * receipt whatever its status: for showing that a transaction fails on chain, not only in a
   * simulation.
   */
  public TransactionReceipt sendUnchecked(Address to, String data, BigInteger gasLimit) {
    return waitForReceipt(sendRaw(to.toString(), data, gasLimit));
  }

  private TransactionReceipt send(Address to, RemoteFunctionCall<?> call) {
    return send(to, call.encodeFunctionCall());
  }

  private TransactionReceipt sendChecked(String to, String data) {
    String action = (to == null ? "deployment" : "call to " + to) + " " + selectorOf(data, to);
    EthCall simulation =
        rpc(
            () ->
                web3j
                    .ethCall(
                        Transaction.createEthCallTransaction(sender.toString(), to, data),
                        DefaultBlockParameterName.PENDING)
                    .send());
    if (simulation.hasError() || simulation.isReverted()) {
      String revertData = revertData(simulation.getError());
      throw new ContractRevertedException(
          action, RevertDecoder.errorName(revertData), revertData + " " + errorMessage(simulation));
    }
    EthEstimateGas estimate =
        rpc(
            () ->
                web3j
                    .ethEstimateGas(
                        Transaction.createFunctionCallTransaction(
                            sender.toString(), null, null, null, to, data))
                    .send());
    if (estimate.hasError()) {
      String revertData = revertData(estimate.getError());
      throw new ContractRevertedException(
          action, RevertDecoder.errorName(revertData), revertData + " " + errorMessage(estimate));
    }
    BigInteger gasLimit =
        estimate.getAmountUsed().multiply(BigInteger.valueOf(6)).divide(BigInteger.valueOf(5));
    TransactionReceipt receipt = waitForReceipt(sendRaw(to, data, gasLimit));
    if (!receipt.isStatusOK()) {
      throw minedRevert(action, to, data, receipt);
    }
    return receipt;
  }

  /**
   * A transaction that passed its simulation but reverted when mined: something mined before it in
   * its block changed the contract's state (another epoch's root, another claim). The receipt holds
   * no reason, so the call is replayed on the state after that block, where the same check fails
   * again and names its error.
   */
  private ContractRevertedException minedRevert(
      String action, String to, String data, TransactionReceipt receipt) {
    String where = action + " (mined in block " + receipt.getBlockNumber() + ")";
    String status = "status " + receipt.getStatus();
    EthCall replay;
    try {
      replay =
          web3j
              .ethCall(
                  Transaction.createEthCallTransaction(sender.toString(), to, data),
                  DefaultBlockParameter.valueOf(receipt.getBlockNumber()))
              .send();
    } catch (IOException e) {
      return new ContractRevertedException(where, null, status);
    }
    // Only revert data names an error; any other failure (a node that no longer keeps that
    // block's state) leaves the status and says why the replay told nothing.
    if (replay.getError() != null && replay.getError().getData() != null) {
      String revertData = revertData(replay.getError());
      return new ContractRevertedException(
          where,
          RevertDecoder.errorName(revertData),
          revertData + " (replayed on the state after that block)");
    }
    return new ContractRevertedException(where, null, status + " " + errorMessage(replay));
  }

  private String sendRaw(String to, String data, BigInteger gasLimit) {
    BigInteger nonce =
        rpc(() ->
                web3j
                    .ethGetTransactionCount(sender.toString(), DefaultBlockParameterName.PENDING)
                    .send())
            .getTransactionCount();
    EthBlock.Block latest =
        rpc(() -> web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send())
            .getBlock();
    BigInteger baseFee = latest.getBaseFeePerGasRaw() == null ? null : latest.getBaseFeePerGas();
    String target = to == null ? "" : to;
    RawTransaction tx;
    if (baseFee == null) { // a chain without EIP-1559
      BigInteger gasPrice = rpc(() -> web3j.ethGasPrice().send()).getGasPrice();
      tx =
          RawTransaction.createTransaction(
              nonce, gasPrice, gasLimit, target, BigInteger.ZERO, data);
    } else {
      BigInteger tip = rpc(() -> web3j.ethMaxPriorityFeePerGas().send()).getMaxPriorityFeePerGas();
      BigInteger maxFee = baseFee.multiply(BigInteger.TWO).add(tip);
      tx =
          RawTransaction.createTransaction(
              chainId, nonce, gasLimit, target, BigInteger.ZERO, data, tip, maxFee);
    }
    String signed = Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, credentials));
    EthSendTransaction sent = rpc(() -> web3j.ethSendRawTransaction(signed).send());
    if (sent.hasError()) {
      throw new IllegalStateException(
          "the EVM node refused the transaction: " + sent.getError().getMessage());
    }
    return sent.getTransactionHash();
  }

  private TransactionReceipt waitForReceipt(String txHash) {
    long deadline = System.nanoTime() + receiptTimeout.toNanos();
    while (true) {
      Optional<TransactionReceipt> receipt =
          rpc(() -> web3j.ethGetTransactionReceipt(txHash).send()).getTransactionReceipt();
      if (receipt.isPresent()) {
        return receipt.get();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "transaction " + txHash + " was not mined within " + receiptTimeout);
      }
      try {
        Thread.sleep(RECEIPT_POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + txHash, e);
      }
    }
  }

  @SuppressWarnings("rawtypes") // FunctionEncoder takes a List of raw Type
  private Address deploy(String binary, List<Type> constructorArgs) {
    return deployBytecode(binary + FunctionEncoder.encodeConstructor(constructorArgs));
  }

  /** Deploys a contract from its creation bytecode with the constructor arguments appended. */
  public Address deployBytecode(String creationData) {
    TransactionReceipt receipt = sendChecked(null, creationData);
    return Address.fromHex(receipt.getContractAddress());
  }

  // ---------------------------------------------------------------------------------------------

  private static String bytecode(String contract) {
    return BYTECODE.get(contract);
  }

  private static Map<String, String> loadBytecode() {
    ObjectMapper json = new ObjectMapper();
    Map<String, String> bytecode = new HashMap<>();
    for (String contract : Contracts.NAMES) {
      String resource = "/io/ascribe/contracts/build/" + contract + ".json";
      try (InputStream in = SettlementClient.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + resource);
        }
        bytecode.put(contract, Numeric.cleanHexPrefix(json.readTree(in).get("bytecode").asText()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Map.copyOf(bytecode);
  }

  private OpenToken token(Address address) {
    return OpenToken.load(address.toString(), web3j, reader, NO_GAS);
  }

  private RewardDistributor distributor(Address address) {
    return RewardDistributor.load(address.toString(), web3j, reader, NO_GAS);
  }

  private OpenBridge bridge(Address address) {
    return OpenBridge.load(address.toString(), web3j, reader, NO_GAS);
  }

  private RemoteFunctionCall<TransactionReceipt> claimCall(
      Address distributor, Address account, BigInteger cumulativeAmount, List<Hash> proof) {
    return distributor(distributor)
        .claim(account.toString(), cumulativeAmount, proof.stream().map(Hash::toArray).toList());
  }

  private static <T> T call(RemoteFunctionCall<T> call) {
    try {
      return call.send();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("contract call failed: " + e.getMessage(), e);
    }
  }

  private interface Rpc<T> {
    T send() throws IOException;
  }

  private static <T extends Response<?>> T rpc(Rpc<T> request) {
    try {
      return request.send();
    } catch (IOException e) {
      throw new UncheckedIOException("EVM JSON-RPC request failed: " + e.getMessage(), e);
    }
  }

  private static String revertData(Response.Error error) {
    if (error == null || error.getData() == null) {
      return "0x";
    }
    return error.getData().replace("\"", "");
  }

  private static String errorMessage(Response<?> response) {
    return response.getError() == null ? "" : "(" + response.getError().getMessage() + ")";
  }

  private static String selectorOf(String data, String to) {
    return to == null || data.length() < 10 ? "" : data.substring(0, 10);
  }

  private static org.web3j.abi.datatypes.Address web3jAddress(Address address) {
    return new org.web3j.abi.datatypes.Address(address.toString());
  }

  private static DynamicArray<org.web3j.abi.datatypes.Address> addressArray(List<Address> list) {
    return new DynamicArray<>(
        org.web3j.abi.datatypes.Address.class,
        list.stream().map(SettlementClient::web3jAddress).toList());
  }

  private static DynamicArray<Uint256> uintArray(List<BigInteger> list) {
    return new DynamicArray<>(Uint256.class, list.stream().map(Uint256::new).toList());
  }
}
