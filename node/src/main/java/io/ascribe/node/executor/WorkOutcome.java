package io.ascribe.node.executor;

/** How one attempt at a piece of work ended. */
sealed interface WorkOutcome {
  /** The result or verdict is submitted or on chain; nothing more to do. */
  record Done() implements WorkOutcome {}

  /** Not possible yet (content or a model missing, a transaction pending): try at a later block. */
  record Waiting(String why) implements WorkOutcome {}

  /** Its transaction is submitted and waits for a block: nothing to say. */
  record Pending() implements WorkOutcome {}

  /** Never possible for this job: said once, and the job is left to its deadline. */
  record Failed(String why) implements WorkOutcome {}

  WorkOutcome DONE = new Done();
}
