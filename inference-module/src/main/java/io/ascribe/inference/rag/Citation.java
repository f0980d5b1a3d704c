package io.ascribe.inference.rag;

/**
 * A retrieved document's attribution: its id and its score, the weight of a linear surrogate in
 * nats of the answer's log-probability: how much keeping the document in the context raises the
 * log-probability of the answer (negative when it lowers it, about 0 when it does not matter). See
 * {@link ContextCite#toPpm} for the shares the chain records.
 */
public record Citation(String id, double score) {}
