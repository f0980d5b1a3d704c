package io.ascribe.consensus;

import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Cheap stand-in signatures for tests with thousands of runs: validator i "signs" digest d as (r =
 * d mod (N-1) + 1, s = i + 1). Unforgeable only in the sense that test code never forges; the real
 * secp256k1 path is covered by {@code KeySignerTest}.
 */
public final class TestCrypto {
  private TestCrypto() {}

  public static final long CHAIN_ID = 7;

  public static Address address(int index) {
    byte[] b = new byte[Address.SIZE];
    b[0] = 0x0a;
    b[19] = (byte) (index + 1);
    return Address.wrap(b);
  }

  public static Signature sign(int index, Hash digest) {
    BigInteger r = new BigInteger(1, digest.toArray()).mod(Secp256k1.N.subtract(BigInteger.ONE));
    return new Signature(r.add(BigInteger.ONE), BigInteger.valueOf(index + 1), 0);
  }

  public static boolean verify(List<Address> addresses, Address signer, Hash digest, Signature s) {
    int index = addresses.indexOf(signer);
    return index >= 0 && sign(index, digest).equals(s);
  }

  /** A signer for validator {@code index}, guarded when {@code guard} is given. */
  public static ConsensusSigner signer(int index, Optional<SigningGuard> guard) {
    return new ConsensusSigner() {
      @Override
      public Address address() {
        return TestCrypto.address(index);
      }

      @Override
      public Optional<SignedVote> signVote(
          SignedVote.Type type, long height, int round, Optional<Hash> value) {
        Hash digest = SignedVote.digest(CHAIN_ID, type, height, round, value);
        if (guard.isPresent() && !guard.get().permit(height, round, type.step(), digest)) {
          return Optional.empty();
        }
        return Optional.of(
            new SignedVote(type, height, round, value, address(), sign(index, digest)));
      }

      @Override
      public Optional<Proposal> signProposal(long height, int round, Hash value, int validRound) {
        Hash digest = Proposal.digest(CHAIN_ID, height, round, value, validRound);
        if (guard.isPresent() && !guard.get().permit(height, round, Step.PROPOSE, digest)) {
          return Optional.empty();
        }
        return Optional.of(
            new Proposal(height, round, value, validRound, address(), sign(index, digest)));
      }
    };
  }

  public static VoteVerifier verifier(List<Address> addresses) {
    return new VoteVerifier() {
      @Override
      public boolean verify(SignedVote vote) {
        return TestCrypto.verify(
            addresses, vote.validator(), vote.digest(CHAIN_ID), vote.signature());
      }

      @Override
      public boolean verify(Proposal proposal) {
        return TestCrypto.verify(
            addresses, proposal.proposer(), proposal.digest(CHAIN_ID), proposal.signature());
      }
    };
  }

  /** A guard store in memory: it survives a simulated crash because the simulator keeps it. */
  public static final class MemoryGuardStore implements GuardStore {
    private Optional<LastSigned> last = Optional.empty();

    @Override
    public Optional<LastSigned> load() {
      return last;
    }

    @Override
    public void save(LastSigned lastSigned) {
      last = Optional.of(lastSigned);
    }
  }

  /** A WAL in memory whose unsynced tail is lost in a simulated crash. */
  public static final class MemoryWal implements ConsensusWal {
    private final java.util.ArrayList<Event> events = new java.util.ArrayList<>();
    private int synced;

    @Override
    public void append(Event event) {
      events.add(event);
    }

    @Override
    public void sync() {
      synced = events.size();
    }

    @Override
    public void startHeight(long height) {
      events.clear();
      synced = 0;
    }

    @Override
    public List<Event> replay() {
      return List.copyOf(events);
    }

    /** Forgets what was never synced, as a power cut would. */
    public void crash() {
      events.subList(synced, events.size()).clear();
    }

    @Override
    public void close() {}
  }
}
