package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.merkle.MerkleTree;
import io.ascribe.core.settlement.EpochRoot;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reward distribution at the end of one epoch: every account's cumulative reward and the Merkle
 * root over them, built exactly as the EVM {@code RewardDistributor} verifies a claim: leaf
 * keccak256(keccak256(abi.encode(address account, uint256 cumulativeAmount))), OpenZeppelin {@code
 * StandardMerkleTree} layout, so a {@link RewardProof} from here passes {@code MerkleProof.verify}.
 * It is a pure function of the cumulative amounts, so every validator computes the same root. With
 * it goes the hash of the validator set that signs it ({@link #epochRoot}: what goes to the EVM).
 */
public record EpochRewards(
    long epoch, long height, List<RewardAccount> accounts, Hash root, Hash validatorSetHash)
    implements LedgerObject {

  private static final Comparator<RewardAccount> BY_ACCOUNT =
      Comparator.comparing(RewardAccount::account);

  public EpochRewards {
    accounts = accounts.stream().sorted(BY_ACCOUNT).toList();
  }

  /**
   * The distribution over {@code cumulative} (accounts with nothing earned are left out), signed by
   * the validator set with EVM hash {@code validatorSetHash}.
   */
  public static EpochRewards of(
      long epoch, long height, Map<Address, BigInteger> cumulative, Hash validatorSetHash) {
    List<RewardAccount> accounts = new ArrayList<>();
    cumulative.forEach(
        (account, amount) -> {
          if (amount.signum() > 0) {
            accounts.add(new RewardAccount(account, amount));
          }
        });
    return new EpochRewards(epoch, height, accounts, tree(accounts).root(), validatorSetHash);
  }

  /** What the validators sign for the EVM distributor: this epoch, its root, its signers. */
  public EpochRoot epochRoot() {
    return new EpochRoot(epoch, root, validatorSetHash);
  }

  /** The account's cumulative amount in this distribution; zero when it has none. */
  public BigInteger cumulative(Address account) {
    int i =
        Collections.binarySearch(accounts, new RewardAccount(account, BigInteger.ZERO), BY_ACCOUNT);
    return i < 0 ? BigInteger.ZERO : accounts.get(i).cumulative();
  }

  /** The claim leaf the settlement contract recomputes from {@code (account, cumulative)}. */
  public static Hash leaf(Address account, BigInteger cumulative) {
    return MerkleTree.standardLeaf(
        AbiEncoding.encode(AbiEncoding.address(account), AbiEncoding.uint256(cumulative)));
  }

  public static Hash key(long epoch) {
    return StateTreeHashing.objectKey("epoch", ByteBuffer.allocate(8).putLong(epoch).array());
  }

  @Override
  public Hash key() {
    return key(epoch);
  }

  /** The account's cumulative amount in this distribution, with its proof; empty if it has none. */
  public Optional<RewardProof> proof(Address account) {
    for (RewardAccount entry : accounts) {
      if (entry.account().equals(account)) {
        Hash leaf = leaf(account, entry.cumulative());
        return Optional.of(
            new RewardProof(account, entry.cumulative(), epoch, root, tree(accounts).proof(leaf)));
      }
    }
    return Optional.empty();
  }

  private static MerkleTree tree(List<RewardAccount> accounts) {
    return MerkleTree.of(accounts.stream().map(a -> leaf(a.account(), a.cumulative())).toList());
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    io.ascribe.core.proto.EpochRewards.Builder p =
        io.ascribe.core.proto.EpochRewards.newBuilder()
            .setEpoch(epoch)
            .setHeight(height)
            .setRoot(ByteString.copyFrom(root.toArray()))
            .setValidatorSetHash(ByteString.copyFrom(validatorSetHash.toArray()));
    accounts.forEach(a -> p.addAccounts(a.toEntry()));
    return io.ascribe.core.proto.LedgerObject.newBuilder().setEpochRewards(p).build();
  }

  static EpochRewards fromProto(io.ascribe.core.proto.EpochRewards p) {
    return new EpochRewards(
        p.getEpoch(),
        p.getHeight(),
        p.getAccountsList().stream().map(RewardAccount::fromProto).toList(),
        Hash.copyOf(p.getRoot().toByteArray()),
        Hash.copyOf(p.getValidatorSetHash().toByteArray()));
  }
}
