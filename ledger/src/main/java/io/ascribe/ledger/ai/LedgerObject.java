package io.ascribe.ledger.ai;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.types.Hash;

/**
 * An object of the AI ledger (datanet, contribution, model, reward account, epoch distribution,
 * tuning job, adapter, inference capability, inference batch, receipt challenge, a user's
 * fee-authorisation nonces, validator record, the attestations of a bridge deposit, an EVM
 * validator-set update), stored as one leaf of the state tree under its own key space so that the
 * state root commits to it and a light client can have it proven. The leaf's value is keccak256 of
 * the object's {@code LedgerObject} protobuf bytes, which are also what the chain store keeps.
 */
public sealed interface LedgerObject
    permits Datanet,
        Contribution,
        Model,
        RewardAccount,
        EpochRewards,
        TuningJob,
        Adapter,
        Capability,
        InferenceBatch,
        ReceiptChallenge,
        FeeAuthorisationNonces,
        ValidatorRecord,
        DepositAttestations,
        ValidatorSetUpdate {

  /** The state-tree key, {@code StateTreeHashing.objectKey(kind, id)}. */
  Hash key();

  io.ascribe.core.proto.LedgerObject toProto();

  default byte[] encode() {
    return toProto().toByteArray();
  }

  default Hash valueHash() {
    return Keccak.hash(encode());
  }

  /**
   * @throws IllegalArgumentException when {@code bytes} are not a stored object
   */
  static LedgerObject decode(byte[] bytes) {
    io.ascribe.core.proto.LedgerObject proto;
    try {
      proto = io.ascribe.core.proto.LedgerObject.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a ledger object: " + e.getMessage(), e);
    }
    return switch (proto.getKindCase()) {
      case DATANET -> Datanet.fromProto(proto.getDatanet());
      case CONTRIBUTION -> Contribution.fromProto(proto.getContribution());
      case MODEL -> Model.fromProto(proto.getModel());
      case REWARD -> RewardAccount.fromProto(proto.getReward());
      case EPOCH_REWARDS -> EpochRewards.fromProto(proto.getEpochRewards());
      case TUNING_JOB -> TuningJob.fromProto(proto.getTuningJob());
      case ADAPTER -> Adapter.fromProto(proto.getAdapter());
      case CAPABILITY -> Capability.fromProto(proto.getCapability());
      case INFERENCE_BATCH -> InferenceBatch.fromProto(proto.getInferenceBatch());
      case RECEIPT_CHALLENGE -> ReceiptChallenge.fromProto(proto.getReceiptChallenge());
      case FEE_AUTHORISATION_NONCES ->
          FeeAuthorisationNonces.fromProto(proto.getFeeAuthorisationNonces());
      case VALIDATOR_RECORD -> ValidatorRecord.fromProto(proto.getValidatorRecord());
      case DEPOSIT -> DepositAttestations.fromProto(proto.getDeposit());
      case VALIDATOR_SET_UPDATE -> ValidatorSetUpdate.fromProto(proto.getValidatorSetUpdate());
      case KIND_NOT_SET -> throw new IllegalArgumentException("ledger object has no kind");
    };
  }
}
