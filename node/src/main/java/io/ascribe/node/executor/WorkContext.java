package io.ascribe.node.executor;

import io.ascribe.ledger.Ledger;
import java.time.Duration;

/**
 * What each piece of AI work reads and writes: the chain, content by hash, the local models, the
 * journal and the node's transaction signer.
 *
 * @param fetchTimeout how long one content fetch waits for a peer before the work waits for the
 *     next block to try again
 */
record WorkContext(
    Ledger ledger,
    ContentSource content,
    ModelLibrary models,
    WorkJournal journal,
    WorkSubmitter submitter,
    Duration fetchTimeout) {}
