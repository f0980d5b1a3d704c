package io.ascribe.contracts.settlement;

import java.util.List;

/** The deployed addresses of one settlement deployment. */
public record Contracts(
    io.ascribe.core.types.Address token,
    io.ascribe.core.types.Address distributor,
    io.ascribe.core.types.Address bridge) {
  /** The contracts compiled into contracts/build. */
  public static final List<String> NAMES = List.of("OpenToken", "RewardDistributor", "OpenBridge");
}
