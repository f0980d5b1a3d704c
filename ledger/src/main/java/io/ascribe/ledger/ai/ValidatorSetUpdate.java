package io.ascribe.ledger.ai;

import io.ascribe.core.proto.ValidatorEntry;
import io.ascribe.core.settlement.Eip712Domain;
import io.ascribe.core.settlement.SettlementMessages;
import io.ascribe.core.settlement.ValidatorSet;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.state.ValidatorSet.Validator;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code nonce}-th move of the EVM RewardDistributor to a new validator set: the set that signs
 * Ascribe's blocks from {@code height + 1} on, as the distributor stores it (powers in whole OPEN).
 * The precommits of block {@code height}, by the set it replaces, sign the EIP-712 {@link #digest}
 * beside their vote, so the commit of that block is what {@code updateValidatorSet} takes
 * (docs/adr/008). Written when the set is announced, at the beginning of block {@code height}; only
 * changes that change the distributor's hash get one.
 */
public record ValidatorSetUpdate(long nonce, long height, ValidatorSet validators)
    implements LedgerObject {

  /** What the outgoing set signs for the distributor in {@code domain}. */
  public Hash digest(Eip712Domain domain) {
    return SettlementMessages.validatorSetUpdateDigest(domain, nonce, validators);
  }

  public static Hash key(long nonce) {
    return StateTreeHashing.objectKey(
        "validator-set-update", ByteBuffer.allocate(8).putLong(nonce).array());
  }

  @Override
  public Hash key() {
    return key(nonce);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    io.ascribe.core.proto.ValidatorSetUpdate.Builder p =
        io.ascribe.core.proto.ValidatorSetUpdate.newBuilder().setNonce(nonce).setHeight(height);
    // Each entry as the protocol record stores one, its power in whole OPEN.
    for (int i = 0; i < validators.validators().size(); i++) {
      p.addValidators(
          new Validator(validators.validators().get(i), validators.powers().get(i)).toProto());
    }
    return io.ascribe.core.proto.LedgerObject.newBuilder().setValidatorSetUpdate(p).build();
  }

  static ValidatorSetUpdate fromProto(io.ascribe.core.proto.ValidatorSetUpdate p) {
    List<Address> addresses = new ArrayList<>();
    List<BigInteger> powers = new ArrayList<>();
    for (ValidatorEntry e : p.getValidatorsList()) {
      Validator v = Validator.fromProto(e);
      addresses.add(v.address());
      powers.add(v.power());
    }
    return new ValidatorSetUpdate(p.getNonce(), p.getHeight(), new ValidatorSet(addresses, powers));
  }
}
