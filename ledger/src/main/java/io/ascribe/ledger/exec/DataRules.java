package io.ascribe.ledger.exec;

import io.ascribe.core.types.Amount;
import io.ascribe.core.types.Hash;
import io.ascribe.genesis.ProtocolParams;
import io.ascribe.ledger.ai.Contribution;
import io.ascribe.ledger.ai.CopyRefusal;
import io.ascribe.ledger.ai.Datanet;
import io.ascribe.ledger.ai.DatanetRules;
import io.ascribe.ledger.ai.MinHash;
import io.ascribe.ledger.ai.Model;
import io.ascribe.ledger.ai.NearDuplicate;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The AI ledger's data side: datanets, bonded contributions (exact and near duplicates refused),
 * bond withdrawal after the lock period, and base-model registration.
 */
final class DataRules {
  static final int MAX_NAME = 128;

  private final ProtocolParams params;

  DataRules(ProtocolParams params) {
    this.params = params;
  }

  void createDatanet(TxContext tx) {
    var create = tx.body().getCreateDatanet();
    String name = create.getName();
    if (name.isBlank() || name.length() > MAX_NAME) {
      throw new ActionFailedException("datanet name must be 1 to " + MAX_NAME + " characters");
    }
    DatanetRules rules = DatanetRules.fromProto(create.getRules());
    if (rules.schemaId().isBlank() || rules.schemaId().length() > MAX_NAME) {
      throw new ActionFailedException("datanet schema id must be 1 to " + MAX_NAME + " characters");
    }
    if (rules.nearDuplicateBps() < 1 || rules.nearDuplicateBps() > 10_000) {
      throw new ActionFailedException(
          "near-duplicate threshold must be in [1, 10000] basis points, got "
              + rules.nearDuplicateBps());
    }
    tx.state().put(new Datanet(tx.newObjectId("datanet"), tx.sender(), name, rules, tx.height()));
  }

  void contribute(TxContext tx) {
    var contribute = tx.body().getContribute();
    StateOverlay state = tx.state();
    Hash datanetId = TxContext.hash32(contribute.getDatanet(), "datanet id");
    Datanet datanet = datanet(state, datanetId);
    Hash contentHash = TxContext.hash32(contribute.getContentHash(), "content hash");
    if (contribute.getSize() <= 0) {
      throw new ActionFailedException("contribution size must be positive");
    }
    MinHash signature = MinHash.of(contribute.getMinhashList());
    BigInteger bond = TxContext.amount(contribute.getBond(), "bond");
    if (bond.compareTo(datanet.rules().minBond()) < 0) {
      throw new ActionFailedException(
          "bond "
              + Amount.formatOpen(bond)
              + " OPEN is below the datanet's minimum bond "
              + Amount.formatOpen(datanet.rules().minBond())
              + " OPEN");
    }
    Optional<Hash> same = state.contributionWithContent(datanetId, contentHash);
    if (same.isPresent()) {
      throw new ActionFailedException(new CopyRefusal.Exact(contentHash, same.get()).message());
    }
    Optional<NearDuplicate> near =
        state.nearDuplicate(datanetId, signature, datanet.rules().nearDuplicateBps());
    if (near.isPresent()) {
      throw new ActionFailedException(
          new CopyRefusal.Near(
                  near.get().contribution(),
                  near.get().similarityBps(),
                  datanet.rules().nearDuplicateBps())
              .message());
    }
    tx.debitSender(bond);
    state.setSystem(state.system().bond(bond));
    state.put(
        new Contribution(
            tx.newObjectId("contribution"),
            datanetId,
            tx.sender(),
            contentHash,
            contribute.getSize(),
            signature,
            bond,
            tx.height(),
            Contribution.Status.ACTIVE));
  }

  void withdraw(TxContext tx) {
    Hash id = TxContext.hash32(tx.body().getWithdrawContribution().getContribution(), "id");
    StateOverlay state = tx.state();
    Contribution c =
        state
            .object(Contribution.key(id))
            .map(Contribution.class::cast)
            .orElseThrow(() -> new ActionFailedException("unknown contribution " + id));
    if (!c.contributor().equals(tx.sender())) {
      throw new ActionFailedException(
          "only contribution " + id + "'s contributor may withdraw its bond");
    }
    switch (c.status()) {
      case WITHDRAWN ->
          throw new ActionFailedException("contribution " + id + " is already withdrawn");
      case SLASHED ->
          throw new ActionFailedException(
              "contribution " + id + " was slashed: its bond is forfeit");
      case ACTIVE -> {}
    }
    long unlock = c.height() + params.bondLockBlocks();
    if (tx.height() < unlock) {
      throw new ActionFailedException(
          "contribution "
              + id
              + "'s bond is locked until height "
              + unlock
              + ", now "
              + tx.height());
    }
    tx.creditBalance(tx.sender(), c.bond());
    state.setSystem(state.system().bond(c.bond().negate()));
    state.put(c.withStatus(Contribution.Status.WITHDRAWN));
  }

  void registerModel(TxContext tx) {
    var register = tx.body().getRegisterModel();
    Hash weights = TxContext.hash32(register.getWeightsHash(), "weights hash");
    Hash config = TxContext.hash32(register.getConfigHash(), "config hash");
    if (register.getArchitecture().isBlank() || register.getArchitecture().length() > MAX_NAME) {
      throw new ActionFailedException(
          "model architecture must be 1 to " + MAX_NAME + " characters");
    }
    if (register.getLicence().isBlank() || register.getLicence().length() > MAX_NAME) {
      throw new ActionFailedException("model licence must be 1 to " + MAX_NAME + " characters");
    }
    tx.state()
        .put(
            new Model(
                tx.newObjectId("model"),
                tx.sender(),
                weights,
                config,
                register.getArchitecture(),
                register.getLicence(),
                tx.height()));
  }

  /** The datanet with {@code id}, or a failed action naming it. */
  static Datanet datanet(LedgerReader state, Hash id) {
    return state
        .object(Datanet.key(id))
        .map(Datanet.class::cast)
        .orElseThrow(() -> new ActionFailedException("unknown datanet " + id));
  }
}
