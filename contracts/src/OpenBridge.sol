// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title Locks OPEN on the EVM side so that Ascribe can credit it.
/// @notice `deposit` moves OPEN from the caller into this vault and emits a `Deposit` numbered from
/// zero without gaps, which Ascribe's validators credit once they saw it with enough confirmations.
/// Withdrawals back to the EVM side are to be paid through a validator-signed cumulative root, as
/// RewardDistributor pays rewards (not part of this contract yet).
contract OpenBridge {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    /// @notice The number of deposits so far; the next deposit gets this number.
    uint256 public depositCount;

    event Deposit(uint256 indexed nonce, address indexed from, address indexed ascribeRecipient, uint256 amount);

    error ZeroAmount();
    error ZeroRecipient();

    constructor(IERC20 token_) {
        token = token_;
    }

    /// @notice Locks `amount` OPEN of the caller (approved beforehand) for `ascribeRecipient` on Ascribe.
    function deposit(uint256 amount, address ascribeRecipient) external returns (uint256 nonce) {
        if (amount == 0) revert ZeroAmount();
        if (ascribeRecipient == address(0)) revert ZeroRecipient();
        nonce = depositCount++;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposit(nonce, msg.sender, ascribeRecipient, amount);
    }
}
