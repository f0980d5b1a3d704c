package io.ascribe.node.cli;

import io.ascribe.core.types.Hash;

/** Reads an object id (datanet, contribution, model) given on the command line. */
final class IdOption {
  private IdOption() {}

  /**
   * @throws UserErrorException naming the option and the form an id has
   */
  static Hash parse(String option, String text) {
    try {
      if (!text.startsWith("0x")) {
        throw new IllegalArgumentException("it lacks the 0x prefix");
      }
      return Hash.fromHex(text);
    } catch (IllegalArgumentException e) {
      throw new UserErrorException(
          option
              + " must be a 32-byte id in 0x-prefixed hex ("
              + e.getMessage()
              + "), got "
              + text);
    }
  }
}
