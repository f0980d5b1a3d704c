// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {CumulativeClaims} from "./CumulativeClaims.sol";
import {RewardDistributor} from "./RewardDistributor.sol";

/// @title Moves OPEN between the EVM side and Ascribe.
/// @notice `deposit` locks OPEN in this vault and emits a `Deposit` numbered from zero without
/// gaps, which Ascribe's validators credit once they saw it with enough confirmations.
/// Withdrawals come back the way rewards do: the validators sign (EIP-712, this contract's domain)
/// the root of a tree of (account, cumulative amount withdrawn to the EVM side), anyone submits it,
/// and anyone may then pay an account its cumulative amount minus what it was already paid. The
/// validator set and its quorum rule are RewardDistributor's, so one rotation covers both.
contract OpenBridge is EIP712 {
    using SafeERC20 for IERC20;

    bytes32 public constant WITHDRAWAL_ROOT_TYPEHASH =
        keccak256("WithdrawalRoot(uint64 epoch,bytes32 withdrawalsRoot,bytes32 validatorSetHash)");

    IERC20 public immutable token;
    RewardDistributor public immutable validators;
    /// @notice The number of deposits so far; the next deposit gets this number.
    uint256 public depositCount;

    uint64 public latestWithdrawalEpoch;
    bytes32 public withdrawalsRoot;
    mapping(address account => uint256) public withdrawn;

    event Deposit(uint256 indexed nonce, address indexed from, address indexed ascribeRecipient, uint256 amount);
    event WithdrawalRootSubmitted(uint64 indexed epoch, bytes32 withdrawalsRoot, uint256 signedPower);
    event Withdrawn(address indexed account, uint256 cumulativeAmount, uint256 paid);

    error ZeroAmount();
    error ZeroRecipient();
    error EpochNotAfterLatest(uint64 epoch, uint64 latestEpoch);
    error InvalidProof(address account, uint256 cumulativeAmount);
    error NothingToWithdraw(address account, uint256 cumulativeAmount, uint256 alreadyWithdrawn);

    constructor(IERC20 token_, RewardDistributor validators_) EIP712("Ascribe OpenBridge", "1") {
        token = token_;
        validators = validators_;
    }

    /// @notice Locks `amount` OPEN of the caller (approved beforehand) for `ascribeRecipient` on Ascribe.
    function deposit(uint256 amount, address ascribeRecipient) external returns (uint256 nonce) {
        if (amount == 0) revert ZeroAmount();
        if (ascribeRecipient == address(0)) revert ZeroRecipient();
        nonce = depositCount++;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposit(nonce, msg.sender, ascribeRecipient, amount);
    }

    /// @notice Accepts `root` as the withdrawals root of `epoch` when signed by more than 2/3 of
    /// the validators' power (RewardDistributor's current set).
    function submitWithdrawals(uint64 epoch, bytes32 root, bytes[] calldata signatures) external {
        if (epoch <= latestWithdrawalEpoch) revert EpochNotAfterLatest(epoch, latestWithdrawalEpoch);
        uint256 signedPower = validators.checkQuorum(withdrawalRootDigest(epoch, root), signatures);
        latestWithdrawalEpoch = epoch;
        withdrawalsRoot = root;
        emit WithdrawalRootSubmitted(epoch, root, signedPower);
    }

    /// @notice Pays `account` what it withdrew on Ascribe up to the latest root and was not paid yet.
    function withdraw(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external {
        if (CumulativeClaims.rootOf(account, cumulativeAmount, proof) != withdrawalsRoot) {
            revert InvalidProof(account, cumulativeAmount);
        }
        uint256 already = withdrawn[account];
        if (cumulativeAmount <= already) revert NothingToWithdraw(account, cumulativeAmount, already);
        withdrawn[account] = cumulativeAmount;
        uint256 paid;
        unchecked {
            paid = cumulativeAmount - already; // above zero: checked just before
        }
        token.safeTransfer(account, paid);
        emit Withdrawn(account, cumulativeAmount, paid);
    }

    /// @notice The EIP-712 digest validators sign for an epoch's withdrawals root under the current set.
    function withdrawalRootDigest(uint64 epoch, bytes32 root) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(WITHDRAWAL_ROOT_TYPEHASH, epoch, root, validators.validatorSetHash()))
        );
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
