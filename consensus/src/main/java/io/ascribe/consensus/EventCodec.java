package io.ascribe.consensus;

import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The binary form of journalled events: a tag byte, then fixed-width big-endian fields. Only the
 * write-ahead log reads it, so it is not versioned beyond the tag.
 */
final class EventCodec {
  private static final byte PROPOSAL = 1;
  private static final byte VOTE = 2;
  private static final byte TIMEOUT = 3;
  private static final byte VALIDATED = 4;
  private static final byte PROPOSED = 5;
  // A vote with an attestation: VOTE's fields, then the attestation's signature. A tag of its own
  // keeps logs written before attestations existed readable.
  private static final byte ATTESTED_VOTE = 6;

  private EventCodec() {}

  static byte[] encode(Event event) {
    ByteBuffer out = ByteBuffer.allocate(256);
    switch (event) {
      case Event.ProposalReceived e -> {
        Proposal p = e.proposal();
        out.put(PROPOSAL).putLong(p.height()).putInt(p.round()).put(p.value().toArray());
        out.putInt(p.validRound()).put(p.proposer().toArray()).put(p.signature().toBytes());
      }
      case Event.VoteReceived e -> {
        SignedVote v = e.vote();
        out.put(v.attestation().isPresent() ? ATTESTED_VOTE : VOTE);
        out.put((byte) v.type().ordinal()).putLong(v.height()).putInt(v.round());
        out.put((byte) (v.value().isPresent() ? 1 : 0));
        v.value().ifPresent(h -> out.put(h.toArray()));
        out.put(v.validator().toArray()).put(v.signature().toBytes());
        v.attestation().ifPresent(a -> out.put(a.toBytes()));
      }
      case Event.TimeoutFired e ->
          out.put(TIMEOUT).put((byte) e.step().ordinal()).putLong(e.height()).putInt(e.round());
      case Event.ValueValidated e ->
          out.put(VALIDATED)
              .putLong(e.height())
              .put(e.value().toArray())
              .put((byte) (e.valid() ? 1 : 0));
      case Event.ValueProposed e ->
          out.put(PROPOSED).putLong(e.height()).putInt(e.round()).put(e.value().toArray());
      case Event.StartHeight e ->
          throw new IllegalArgumentException("StartHeight is not journalled: " + e);
    }
    byte[] bytes = new byte[out.position()];
    out.flip().get(bytes);
    return bytes;
  }

  /**
   * @throws IllegalArgumentException when {@code bytes} is not an encoded event
   */
  static Event decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      byte tag = in.get();
      Event event =
          switch (tag) {
            case PROPOSAL ->
                new Event.ProposalReceived(
                    new Proposal(
                        in.getLong(),
                        in.getInt(),
                        hash(in),
                        in.getInt(),
                        address(in),
                        signature(in)));
            case VOTE, ATTESTED_VOTE -> {
              SignedVote.Type type = SignedVote.Type.values()[in.get()];
              long height = in.getLong();
              int round = in.getInt();
              Optional<Hash> value = in.get() == 1 ? Optional.of(hash(in)) : Optional.empty();
              Address validator = address(in);
              Signature signature = signature(in);
              Optional<Signature> attestation =
                  tag == ATTESTED_VOTE ? Optional.of(signature(in)) : Optional.empty();
              yield new Event.VoteReceived(
                  new SignedVote(type, height, round, value, validator, signature, attestation));
            }
            case TIMEOUT ->
                new Event.TimeoutFired(Step.values()[in.get()], in.getLong(), in.getInt());
            case VALIDATED -> new Event.ValueValidated(in.getLong(), hash(in), in.get() == 1);
            case PROPOSED -> new Event.ValueProposed(in.getLong(), in.getInt(), hash(in));
            default -> throw new IllegalArgumentException("unknown event tag " + bytes[0]);
          };
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes after an event");
      }
      return event;
    } catch (BufferUnderflowException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated event", e);
    }
  }

  private static Hash hash(ByteBuffer in) {
    byte[] b = new byte[Hash.SIZE];
    in.get(b);
    return Hash.wrap(b);
  }

  private static Address address(ByteBuffer in) {
    byte[] b = new byte[Address.SIZE];
    in.get(b);
    return Address.wrap(b);
  }

  private static Signature signature(ByteBuffer in) {
    byte[] b = new byte[Signature.SIZE];
    in.get(b);
    return Signature.fromBytes(b);
  }
}
