package io.ascribe.core.settlement;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.merkle.AbiEncoding;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validator set as RewardDistributor stores it: addresses in strictly ascending order, each with
 * a positive power. Its hash is keccak256(abi.encodePacked(validators, powers)): every address
 * left-padded to 32 bytes, then every power as a uint256.
 */
public record ValidatorSet(List<Address> validators, List<BigInteger> powers) {
  public ValidatorSet {
    validators = List.copyOf(validators);
    powers = List.copyOf(powers);
    if (validators.isEmpty()) {
      throw new IllegalArgumentException("a validator set needs at least one validator");
    }
    if (validators.size() != powers.size()) {
      throw new IllegalArgumentException("validators and powers differ in length");
    }
    for (int i = 0; i < validators.size(); i++) {
      if (i > 0 && validators.get(i - 1).compareTo(validators.get(i)) >= 0) {
        throw new IllegalArgumentException("validators must be in strictly ascending order");
      }
      if (powers.get(i).signum() <= 0) {
        throw new IllegalArgumentException("validator " + validators.get(i) + " has no power");
      }
    }
  }

  /** The set with these powers, sorted by address. */
  public static ValidatorSet of(Map<Address, BigInteger> powers) {
    TreeMap<Address, BigInteger> sorted = new TreeMap<>(powers);
    return new ValidatorSet(List.copyOf(sorted.keySet()), List.copyOf(sorted.values()));
  }

  public BigInteger totalPower() {
    return powers.stream().reduce(BigInteger.ZERO, BigInteger::add);
  }

  public BigInteger powerOf(Address validator) {
    int i = validators.indexOf(validator);
    return i < 0 ? BigInteger.ZERO : powers.get(i);
  }

  /** Whether {@code signed} is more than 2/3 of the total power, as the contract decides. */
  public boolean isQuorum(BigInteger signed) {
    return signed.multiply(BigInteger.valueOf(3)).compareTo(totalPower().multiply(BigInteger.TWO))
        > 0;
  }

  public Hash hash() {
    ByteArrayOutputStream packed = new ByteArrayOutputStream(64 * validators.size());
    validators.forEach(v -> packed.writeBytes(AbiEncoding.address(v)));
    powers.forEach(p -> packed.writeBytes(AbiEncoding.uint256(p)));
    return Keccak.hash(packed.toByteArray());
  }
}
