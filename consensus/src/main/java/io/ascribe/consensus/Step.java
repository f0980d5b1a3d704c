package io.ascribe.consensus;

/**
 * The three steps of a Tendermint round, in the order a round runs them. The order matters: the
 * signing guard compares (height, round, step) lexicographically, so nothing may be signed for a
 * step that comes before one already signed.
 */
public enum Step {
  PROPOSE,
  PREVOTE,
  PRECOMMIT
}
