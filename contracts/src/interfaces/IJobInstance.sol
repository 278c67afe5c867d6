// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @notice The parts of a JobInstance the anonymous contracts (AnonymousLabels, AnonymousRewards) use;
///         JobInstance implements it, so the compiler keeps the two in step.
interface IJobInstance {
    function params()
        external
        view
        returns (
            address oracle,
            address requester,
            address token,
            uint256 numItems,
            uint256 numClasses,
            uint256 redundancy,
            uint256 deadline,
            uint256 pricePerLabel,
            uint256 budget,
            bytes32 manifest
        );

    function escrowState() external view returns (uint256 paid, uint256 totalPayout, bool settled, bool refunded);

    function settlementState()
        external
        view
        returns (
            bool stopped,
            uint256 claimsOpenAt,
            uint256 claimDeadline,
            bool swept,
            address guardian,
            uint256 disputeWindow
        );

    function claim(uint256 index, uint256 amount, bytes32[] calldata proof) external;
}
