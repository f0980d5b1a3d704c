// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title For tests only: a token whose transfer returns nothing (as some pre-ERC-20-final tokens do).
/// @notice The distributor requires a 32-byte true, so a claim paid in this token fails. Not
/// deployed anywhere.
contract SilentToken {
    function transfer(address, uint256) external pure {}
}
