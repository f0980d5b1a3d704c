package io.ascribe.contracts.settlement;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.types.Address;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Deterministic test keys and validator sets. */
final class Validators {
  private Validators() {}

  static PrivateKey key(String label) {
    return PrivateKey.fromBytes(Keccak.hash(label.getBytes(StandardCharsets.UTF_8)).toArray());
  }

  static List<PrivateKey> keys(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> key(prefix + i)).toList();
  }

  static ValidatorSet set(List<PrivateKey> keys, List<Long> powers) {
    Map<Address, BigInteger> map = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      map.put(keys.get(i).address(), BigInteger.valueOf(powers.get(i)));
    }
    return ValidatorSet.of(map);
  }

  static ValidatorSet equalPower(List<PrivateKey> keys) {
    return set(keys, keys.stream().map(k -> 1L).toList());
  }
}
