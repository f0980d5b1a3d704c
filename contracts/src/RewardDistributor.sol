// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {CumulativeClaims} from "./CumulativeClaims.sol";

/// @title Pays Ascribe rewards on the EVM against roots that Ascribe's validators signed.
/// @notice Each epoch Ascribe's validators sign (EIP-712) the root of a Merkle tree whose leaves are
/// (account, cumulative reward). Anyone may submit the root with the signatures; it is accepted
/// only when distinct validators of the current set holding more than 2/3 of its power signed it,
/// and only for an epoch after the latest. Anyone may then claim for an account: the contract pays
/// the account its cumulative amount minus what it already paid it, so each unit is paid once.
/// The validator set changes only with the signatures of more than 2/3 of the current set.
///
/// Signatures come in ascending order of their signers' addresses, which makes "the same validator
/// counted twice" impossible with one comparison per signature. A set is stored sorted the same
/// way, and its hash is keccak256(abi.encodePacked(validators, powers)).
contract RewardDistributor is EIP712 {
    bytes32 public constant EPOCH_ROOT_TYPEHASH =
        keccak256("EpochRoot(uint64 epoch,bytes32 rewardsRoot,bytes32 validatorSetHash)");
    bytes32 public constant VALIDATOR_SET_UPDATE_TYPEHASH =
        keccak256("ValidatorSetUpdate(uint64 nonce,bytes32 newValidatorSetHash)");
    uint256 public constant MAX_VALIDATORS = 256;

    IERC20 public immutable token;

    address[] private _validators;
    uint256[] private _powers;
    mapping(address validator => uint256) public powerOf;
    uint256 public totalPower;
    bytes32 public validatorSetHash;
    /// @notice How many validator-set updates were accepted; the next update signs this value.
    uint64 public validatorSetNonce;

    uint64 public latestEpoch;
    bytes32 public rewardsRoot;
    /// What an account was paid so far. A struct so that claim computes the slot once (79 gas);
    /// the getter `claimed(account)` still returns the amount.
    struct PaidSoFar {
        uint256 amount;
    }

    mapping(address account => PaidSoFar) public claimed;

    event ValidatorSetUpdated(uint64 indexed nonce, bytes32 validatorSetHash, address[] validators, uint256[] powers);
    event EpochSubmitted(uint64 indexed epoch, bytes32 rewardsRoot, uint256 signedPower);
    /// What this claim paid is the value of the token's Transfer event in the same transaction.
    event Claimed(address indexed account, uint256 cumulativeAmount);

    error InvalidValidatorSet(string reason);
    error EpochNotAfterLatest(uint64 epoch, uint64 latestEpoch);
    error SignersNotAscending(address signer, address previous);
    error NotAValidator(address signer);
    error InsufficientPower(uint256 signedPower, uint256 totalPower);
    error InvalidProof(address account, uint256 cumulativeAmount);
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed);
    error TransferFailed(address account, uint256 amount);

    constructor(IERC20 token_, address[] memory validators_, uint256[] memory powers_)
        EIP712("Ascribe RewardDistributor", "1")
    {
        token = token_;
        _setValidators(validators_, powers_);
    }

    // ---------------------------------------------------------------------------------------------
    // Epoch roots and claims

    /// @notice Accepts `root` as the rewards root of `epoch` when signed by more than 2/3 of the power.
    function submitEpoch(uint64 epoch, bytes32 root, bytes[] calldata signatures) external {
        if (epoch <= latestEpoch) revert EpochNotAfterLatest(epoch, latestEpoch);
        bytes32 digest = epochRootDigest(epoch, root);
        uint256 signedPower = _checkQuorum(digest, signatures);
        latestEpoch = epoch;
        rewardsRoot = root;
        emit EpochSubmitted(epoch, root, signedPower);
    }

    /// @notice Pays `account` what it earned up to the latest root and was not paid yet. Anyone may
    /// call it; the tokens always go to `account`.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external {
        if (CumulativeClaims.rootOf(account, cumulativeAmount, proof) != rewardsRoot) {
            revert InvalidProof(account, cumulativeAmount);
        }
        PaidSoFar storage paidSoFar = claimed[account];
        uint256 already = paidSoFar.amount;
        if (cumulativeAmount <= already) revert NothingToClaim(account, cumulativeAmount, already);
        paidSoFar.amount = cumulativeAmount;
        uint256 paid;
        unchecked {
            paid = cumulativeAmount - already; // above zero: checked just before
        }
        IERC20 token_ = token;
        bytes32 claimedTopic = Claimed.selector;
        // token.transfer(account, paid), required to return true, then emit Claimed(account,
        // cumulativeAmount): in scratch space, about 170 gas less than SafeERC20 and `emit`, which
        // is what brings a first claim below the one-shot MerkleDistributor's (contracts/README.md).
        // The call data lies at 0x10..0x54, over the free memory pointer's top bytes, which are
        // zero and are zeroed again after the call. Only a 32-byte true passes the check: a
        // shorter return leaves the selector word, not 1, at 0x00. A reverted transfer's error
        // (the token's ERC20InsufficientBalance when the pool is short) is passed on.
        assembly ("memory-safe") {
            mstore(0x14, account)
            mstore(0x34, paid)
            mstore(0x00, 0xa9059cbb000000000000000000000000) // transfer(address,uint256)
            let ok := call(gas(), token_, 0, 0x10, 0x44, 0x00, 0x20)
            if iszero(and(eq(mload(0x00), 1), ok)) {
                if iszero(ok) {
                    returndatacopy(0x00, 0x00, returndatasize())
                    revert(0x00, returndatasize())
                }
                mstore(0x00, 0x1c43b976) // TransferFailed(address,uint256)
                mstore(0x20, account)
                mstore(0x40, paid)
                revert(0x1c, 0x44)
            }
            mstore(0x34, 0)
            mstore(0x00, cumulativeAmount)
            log2(0x00, 0x20, claimedTopic, account)
        }
    }

    /// @notice The EIP-712 digest validators sign for an epoch's root under the current set.
    function epochRootDigest(uint64 epoch, bytes32 root) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(EPOCH_ROOT_TYPEHASH, epoch, root, validatorSetHash)));
    }

    // ---------------------------------------------------------------------------------------------
    // Validator set

    /// @notice Replaces the validator set; signed by more than 2/3 of the current set's power over
    /// ValidatorSetUpdate(validatorSetNonce, hash of the new set).
    function updateValidatorSet(
        address[] calldata newValidators,
        uint256[] calldata newPowers,
        bytes[] calldata signatures
    ) external {
        bytes32 digest = validatorSetUpdateDigest(validatorSetNonce, hashValidatorSet(newValidators, newPowers));
        _checkQuorum(digest, signatures);
        uint256 n = _validators.length;
        for (uint256 i = 0; i < n; i++) {
            delete powerOf[_validators[i]];
        }
        validatorSetNonce++;
        _setValidators(newValidators, newPowers);
    }

    /// @notice The EIP-712 digest the current set signs to replace itself by the set with `newSetHash`.
    function validatorSetUpdateDigest(uint64 nonce, bytes32 newSetHash) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VALIDATOR_SET_UPDATE_TYPEHASH, nonce, newSetHash)));
    }

    /// @notice The power of the current set that signed `digest`; reverts as submitEpoch does unless
    /// it is more than 2/3. For contracts that share this validator set (OpenBridge withdrawals).
    function checkQuorum(bytes32 digest, bytes[] calldata signatures) external view returns (uint256) {
        return _checkQuorum(digest, signatures);
    }

    function hashValidatorSet(address[] memory validators_, uint256[] memory powers_) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(validators_, powers_));
    }

    function validators() external view returns (address[] memory, uint256[] memory) {
        return (_validators, _powers);
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------------------------------------

    function _setValidators(address[] memory validators_, uint256[] memory powers_) private {
        uint256 n = validators_.length;
        if (n == 0) revert InvalidValidatorSet("empty");
        if (n > MAX_VALIDATORS) revert InvalidValidatorSet("too many validators");
        if (powers_.length != n) revert InvalidValidatorSet("validators and powers differ in length");
        uint256 total = 0;
        address previous = address(0);
        for (uint256 i = 0; i < n; i++) {
            address v = validators_[i];
            // Ascending and above zero: distinct, and no zero address (what ecrecover fails to).
            if (v <= previous) revert InvalidValidatorSet("validators not in ascending address order");
            if (powers_[i] == 0) revert InvalidValidatorSet("zero power");
            powerOf[v] = powers_[i];
            total += powers_[i];
            previous = v;
        }
        _validators = validators_;
        _powers = powers_;
        totalPower = total;
        bytes32 setHash = hashValidatorSet(validators_, powers_);
        validatorSetHash = setHash;
        emit ValidatorSetUpdated(validatorSetNonce, setHash, validators_, powers_);
    }

    /// Returns the power that signed `digest`; reverts unless every signature is a valid low-s
    /// signature by a validator of the current set, the signers ascend strictly, and their power
    /// exceeds 2/3 of the total.
    function _checkQuorum(bytes32 digest, bytes[] calldata signatures) private view returns (uint256 signedPower) {
        address previous = address(0);
        uint256 n = signatures.length;
        for (uint256 i = 0; i < n; i++) {
            // OpenZeppelin's recover rejects high s, lengths other than 65, v other than 27/28.
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (signer <= previous) revert SignersNotAscending(signer, previous);
            uint256 power = powerOf[signer];
            if (power == 0) revert NotAValidator(signer);
            signedPower += power;
            previous = signer;
        }
        uint256 total = totalPower;
        if (signedPower * 3 <= total * 2) revert InsufficientPower(signedPower, total);
    }
}
