// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {CumulativeClaims} from "../src/CumulativeClaims.sol";

/// @title For tests only: CumulativeClaims.rootOf beside OpenZeppelin's MerkleProof on the same input.
/// @notice CumulativeClaimsIT calls both with random accounts, amounts and proofs and expects the same
/// root, which is what lets the distributor and the bridge use the cheaper loop. Not deployed anywhere.
contract CumulativeClaimsHarness {
    function rootOf(address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        pure
        returns (bytes32)
    {
        return CumulativeClaims.rootOf(account, cumulativeAmount, proof);
    }

    function openZeppelinRootOf(address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        pure
        returns (bytes32)
    {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        return MerkleProof.processProofCalldata(proof, leaf);
    }
}
