// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title For tests only: a token whose transfer returns false instead of reverting.
/// @notice OpenToken reverts on every failed transfer, so only a token like this one reaches the
/// distributor's TransferFailed check. Not deployed anywhere.
contract FalseReturningToken {
    function transfer(address, uint256) external pure returns (bool) {
        return false;
    }
}
