// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title CrowdToken — the ERC-20 token jobs are funded and labelers are paid in
/// @notice Development deployments keep minting open to the owner; a production deployment mints a
///         fixed supply at construction and finishes minting for good.
contract CrowdToken is ERC20, ERC20Permit, Ownable {
    /// @notice True once minting is closed; it can never reopen.
    bool public mintingFinished;

    /// @notice Emitted once, when the owner closes minting.
    event MintingFinished();

    error MintingIsFinished();

    /// @param name_ token name
    /// @param symbol_ token symbol
    /// @param owner_ account allowed to mint while minting is open
    /// @param initialSupply minted to `owner_` at construction
    /// @param fixedSupply when true, minting is closed right after the initial supply
    constructor(string memory name_, string memory symbol_, address owner_, uint256 initialSupply, bool fixedSupply)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        Ownable(owner_)
    {
        if (initialSupply > 0) _mint(owner_, initialSupply);
        if (fixedSupply) {
            mintingFinished = true;
            emit MintingFinished();
        }
    }

    /// @notice Mint `amount` to `to`; only the owner, only while minting is open.
    function mint(address to, uint256 amount) external onlyOwner {
        if (mintingFinished) revert MintingIsFinished();
        _mint(to, amount);
    }

    /// @notice Close minting for good; only the owner.
    function finishMinting() external onlyOwner {
        if (mintingFinished) revert MintingIsFinished();
        mintingFinished = true;
        emit MintingFinished();
    }
}
