package io.ascribe.node.cli;

import io.ascribe.ledger.exec.TxRejectedException;
import io.ascribe.ledger.store.StoreException;
import io.ascribe.node.client.RpcClientException;

/**
 * The errors a user causes and can fix (bad input, an unreachable node, a locked data directory, a
 * model or data file that cannot be used): the CLI prints their message alone, without a stack
 * trace.
 */
final class ExpectedErrors {
  private ExpectedErrors() {}

  static boolean isExpected(Throwable e) {
    return e instanceof IllegalArgumentException
        || e instanceof RpcClientException
        || e instanceof StoreException
        || e instanceof TxRejectedException
        || e instanceof UserErrorException
        || e instanceof io.ascribe.genesis.InvalidGenesisException
        // A model, adapter, tokenizer or data file that cannot be used; the message names it.
        || e instanceof io.ascribe.inference.model.ModelException
        || e instanceof io.ascribe.inference.data.DatasetException;
  }
}
