package io.ascribe.ledger.ai;

import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;

/**
 * What an inference receipt needs to know of an adapter (the result of a tuning job): that it
 * exists, the base model it was tuned from, and the fine-tuner its share of each fee goes to.
 */
public record AdapterRef(Hash id, Hash baseModel, Address fineTuner) {}
