package io.ascribe.ledger.ai;

import com.google.protobuf.ByteString;
import io.ascribe.core.proto.DepositClaim;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every attestation of one OpenBridge deposit number, grouped by the exact content attested: a
 * claim per distinct {@link EvmDeposit}, each with the validators who attested it. Only the
 * validators of one claim count towards its quorum, so a validator attesting a wrong amount or
 * recipient can never help the honest content over the threshold, nor borrow its votes. Once a
 * claim is credited the record says at which height and which claim.
 *
 * @param deposit the deposit number
 * @param claims the distinct contents attested, in the order first attested
 * @param creditedHeight the height the deposit was credited at, 0 while it is not
 * @param creditedClaim the index in {@code claims} of the content credited
 */
public record DepositAttestations(
    long deposit, List<Claim> claims, long creditedHeight, int creditedClaim)
    implements LedgerObject {

  /** One content and the validators that attested exactly it, in the order they did. */
  public record Claim(EvmDeposit content, List<Address> attesters) {
    public Claim {
      attesters = List.copyOf(attesters);
    }
  }

  public DepositAttestations {
    claims = List.copyOf(claims);
  }

  /** The record of a deposit nobody attested yet. */
  public static DepositAttestations none(long deposit) {
    return new DepositAttestations(deposit, List.of(), 0, 0);
  }

  public static Hash key(long deposit) {
    return StateTreeHashing.objectKey("deposit", ByteBuffer.allocate(8).putLong(deposit).array());
  }

  @Override
  public Hash key() {
    return key(deposit);
  }

  public boolean credited() {
    return creditedHeight > 0;
  }

  /** The content credited, once the deposit is. */
  public Optional<EvmDeposit> creditedContent() {
    return credited() ? Optional.of(claims.get(creditedClaim).content()) : Optional.empty();
  }

  /** The claim {@code validator} attested, if it attested one. */
  public Optional<Claim> claimOf(Address validator) {
    return claims.stream().filter(c -> c.attesters().contains(validator)).findFirst();
  }

  /** This record with {@code validator} added to the claim of {@code content} (made if new). */
  public DepositAttestations attest(EvmDeposit content, Address validator) {
    List<Claim> next = new ArrayList<>(claims);
    int index = indexOf(content);
    if (index < 0) {
      next.add(new Claim(content, List.of(validator)));
    } else {
      List<Address> attesters = new ArrayList<>(claims.get(index).attesters());
      attesters.add(validator);
      next.set(index, new Claim(content, attesters));
    }
    return new DepositAttestations(deposit, next, creditedHeight, creditedClaim);
  }

  /** The validators that attested exactly {@code content}. */
  public List<Address> attesters(EvmDeposit content) {
    int index = indexOf(content);
    return index < 0 ? List.of() : claims.get(index).attesters();
  }

  /** This record with {@code content} (already attested) credited at {@code height}. */
  public DepositAttestations credit(EvmDeposit content, long height) {
    int index = indexOf(content);
    if (index < 0 || height < 1) {
      throw new IllegalArgumentException("only an attested content is credited, at a height >= 1");
    }
    return new DepositAttestations(deposit, claims, height, index);
  }

  private int indexOf(EvmDeposit content) {
    for (int i = 0; i < claims.size(); i++) {
      if (claims.get(i).content().equals(content)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    io.ascribe.core.proto.DepositAttestations.Builder record =
        io.ascribe.core.proto.DepositAttestations.newBuilder()
            .setDeposit(deposit)
            .setCreditedHeight(creditedHeight)
            .setCreditedClaim(creditedClaim);
    for (Claim claim : claims) {
      DepositClaim.Builder entry = DepositClaim.newBuilder().setContent(claim.content().toProto());
      claim.attesters().forEach(a -> entry.addAttesters(ByteString.copyFrom(a.toArray())));
      record.addClaims(entry);
    }
    return io.ascribe.core.proto.LedgerObject.newBuilder().setDeposit(record).build();
  }

  static DepositAttestations fromProto(io.ascribe.core.proto.DepositAttestations p) {
    List<Claim> claims = new ArrayList<>();
    for (DepositClaim entry : p.getClaimsList()) {
      claims.add(
          new Claim(
              EvmDeposit.fromProto(entry.getContent()),
              entry.getAttestersList().stream().map(b -> Address.wrap(b.toByteArray())).toList()));
    }
    return new DepositAttestations(
        p.getDeposit(), claims, p.getCreditedHeight(), p.getCreditedClaim());
  }
}
