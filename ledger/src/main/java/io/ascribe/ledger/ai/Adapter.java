package io.ascribe.ledger.ai;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.state.StateTreeHashing;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;

/**
 * A fine-tuned adapter, registered when its tuning job becomes final: the hash of its weights (the
 * bytes stay off chain), linked to its base model, datanet and job. Its fine-tuner is the job's
 * submitter, who paid for it and earns the fine-tuner share when inference uses it.
 */
public record Adapter(
    Hash id,
    Hash job,
    Hash baseModel,
    Hash datanet,
    Hash adapterHash,
    Address fineTuner,
    TuningSpec.Method method,
    long height)
    implements LedgerObject {

  /** The id of the adapter job {@code job} produces: keccak256("adapter" ‖ job id). */
  public static Hash idOf(Hash job) {
    return Keccak.hash("adapter".getBytes(StandardCharsets.US_ASCII), job.toArray());
  }

  public static Hash key(Hash id) {
    return StateTreeHashing.objectKey("adapter", id.toArray());
  }

  @Override
  public Hash key() {
    return key(id);
  }

  @Override
  public io.ascribe.core.proto.LedgerObject toProto() {
    return io.ascribe.core.proto.LedgerObject.newBuilder()
        .setAdapter(
            io.ascribe.core.proto.Adapter.newBuilder()
                .setId(ProtoBytes.of(id))
                .setJob(ProtoBytes.of(job))
                .setBaseModel(ProtoBytes.of(baseModel))
                .setDatanet(ProtoBytes.of(datanet))
                .setAdapterHash(ProtoBytes.of(adapterHash))
                .setFineTuner(ProtoBytes.of(fineTuner))
                .setMethod(method.toProto())
                .setHeight(height))
        .build();
  }

  static Adapter fromProto(io.ascribe.core.proto.Adapter p) {
    return new Adapter(
        ProtoBytes.hash(p.getId()),
        ProtoBytes.hash(p.getJob()),
        ProtoBytes.hash(p.getBaseModel()),
        ProtoBytes.hash(p.getDatanet()),
        ProtoBytes.hash(p.getAdapterHash()),
        ProtoBytes.address(p.getFineTuner()),
        TuningSpec.Method.fromProto(p.getMethod()),
        p.getHeight());
  }
}
