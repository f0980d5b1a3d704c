// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title OPEN, the token Ascribe settles in.
/// @notice A plain ERC-20 with 18 decimals and EIP-2612 permit. The whole supply is minted once, at
/// deployment, to a holder the deployer chooses; nobody can mint or burn afterwards.
contract OpenToken is ERC20, ERC20Permit {
    constructor(address holder, uint256 supply) ERC20("OPEN", "OPEN") ERC20Permit("OPEN") {
        _mint(holder, supply);
    }
}
