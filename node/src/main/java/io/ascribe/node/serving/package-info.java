/**
 * An executor serving RAG inference off chain ({@code ascribe_infer}): each request is paid by the
 * user's signed fee authorisation, checked here as the ledger will check it, and answered with its
 * retrieved contributions and their attribution scores; the receipts are kept on disk and posted in
 * batches ({@code SubmitInferenceReceipts}), so a crash loses no answer a user paid for.
 */
package io.ascribe.node.serving;
