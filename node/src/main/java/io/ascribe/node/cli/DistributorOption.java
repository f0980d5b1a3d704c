package io.ascribe.node.cli;

import io.ascribe.core.types.Address;
import picocli.CommandLine.Option;

/** The {@code --distributor ADDR} option of the commands that talk to the RewardDistributor. */
final class DistributorOption {
  @Option(
      names = "--distributor",
      paramLabel = "ADDR",
      required = true,
      description = "RewardDistributor address.")
  String hex;

  Address address() {
    return Address.fromHex(hex);
  }
}
