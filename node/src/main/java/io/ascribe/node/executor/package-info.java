/**
 * The executor and verifier services of a node run with {@code --executor}: the node declares the
 * inference capability, watches committed blocks for tuning jobs it is assigned, runs them with the
 * inference module beside the chain (never inside block execution), and posts the results and its
 * verdicts on other executors' results back as transactions. {@link
 * io.ascribe.node.executor.WorkPlanner} decides what to do from the ledger alone; the rest is I/O
 * around it: contributions and adapters come from the content store by hash, each job's progress is
 * journaled on disk so a crash resumes it and never posts twice.
 */
package io.ascribe.node.executor;
