// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

/// @title JobManagement — the job factory
/// @notice Escrows a requester's budget in a new JobInstance clone whose parameters (including the
///         oracle, guardian and dispute window configured here at creation time) are the clone's
///         immutable arguments: changing them here never changes a job already created.
contract JobManagement is Ownable {
    using SafeERC20 for IERC20;

    /// @notice Largest item count: item ids share a 32-bit calldata entry with a 4-bit label.
    uint256 public constant MAX_ITEMS = 1 << 28;
    /// @notice Largest class count (4-bit labels).
    uint256 public constant MAX_CLASSES = 16;
    /// @notice Largest redundancy (an item word holds 12 votes; extensions share that room).
    uint256 public constant MAX_REDUNDANCY = 12;
    /// @notice Longest dispute window a job can be given (claims wait this long after the root).
    uint256 public constant MAX_DISPUTE_WINDOW = 30 days;

    /// @notice The token budgets are escrowed and payouts made in.
    IERC20 public immutable token;
    /// @notice The JobInstance every job clones.
    address public immutable implementation;
    /// @notice The platform's settlement key given to jobs created from now on.
    address public oracle;
    /// @notice The key that may cancel a pending payout root of jobs created from now on.
    address public guardian;
    /// @notice Seconds between a payout root and its claims, for jobs created from now on.
    uint48 public disputeWindow;

    address[] private _jobs;

    /// @notice A job was created and its budget escrowed in `instance`.
    event JobCreated(
        uint256 indexed jobId,
        address indexed instance,
        address indexed requester,
        uint256 budget,
        address oracle,
        uint256 numItems,
        uint256 numClasses,
        uint256 redundancy,
        uint256 pricePerLabel,
        uint256 deadline,
        bytes32 manifest
    );
    /// @notice New jobs will use `oracle`; existing jobs keep theirs.
    event OracleChanged(address indexed previousOracle, address indexed oracle);
    /// @notice New jobs will use `guardian` and `disputeWindow`; existing jobs keep theirs.
    event DisputeTermsChanged(address indexed guardian, uint256 disputeWindow);
    /// @notice The settlement terms job `jobId` was created with.
    event JobDisputeTerms(uint256 indexed jobId, address guardian, uint256 disputeWindow);

    error ZeroAddress();
    error ItemCountOutOfRange();
    error ClassCountOutOfRange();
    error RedundancyOutOfRange();
    error DeadlineNotInFuture();
    error BudgetOutOfRange();
    error DisputeWindowTooLong();

    /// @param token_ escrow and payout token
    /// @param implementation_ deployed JobInstance to clone
    /// @param oracle_ initial settlement key
    /// @param guardian_ initial guardian (may cancel a pending root within the dispute window)
    /// @param disputeWindow_ initial dispute window in seconds, at most MAX_DISPUTE_WINDOW
    /// @param owner_ account allowed to change the oracle, guardian and dispute window
    constructor(
        IERC20 token_,
        address implementation_,
        address oracle_,
        address guardian_,
        uint48 disputeWindow_,
        address owner_
    ) Ownable(owner_) {
        if (address(token_) == address(0) || implementation_ == address(0) || oracle_ == address(0)) {
            revert ZeroAddress();
        }
        token = token_;
        implementation = implementation_;
        oracle = oracle_;
        emit OracleChanged(address(0), oracle_);
        _setDisputeTerms(guardian_, disputeWindow_);
    }

    /// @notice Set the guardian and dispute window for jobs created from now on; only the owner.
    /// @param guardian_ the key that may cancel a pending root (not zero)
    /// @param disputeWindow_ seconds, at most MAX_DISPUTE_WINDOW
    function setDisputeTerms(address guardian_, uint48 disputeWindow_) external onlyOwner {
        _setDisputeTerms(guardian_, disputeWindow_);
    }

    function _setDisputeTerms(address guardian_, uint48 disputeWindow_) private {
        if (guardian_ == address(0)) revert ZeroAddress();
        if (disputeWindow_ > MAX_DISPUTE_WINDOW) revert DisputeWindowTooLong();
        guardian = guardian_;
        disputeWindow = disputeWindow_;
        emit DisputeTermsChanged(guardian_, disputeWindow_);
    }

    /// @notice Set the oracle for jobs created from now on; only the owner.
    function setOracle(address oracle_) external onlyOwner {
        if (oracle_ == address(0)) revert ZeroAddress();
        emit OracleChanged(oracle, oracle_);
        oracle = oracle_;
    }

    /// @notice Create a job and escrow `budget` from the caller (needs an allowance to this contract).
    /// @param numItems items in the dataset, ids 0 .. numItems - 1
    /// @param numClasses classes, 2 .. 16
    /// @param redundancy labels wanted per item, 1 .. 12
    /// @param pricePerLabel the requester's stated price, used by settlement
    /// @param deadline unix time after which no label is accepted
    /// @param budget tokens escrowed; payouts never exceed it
    /// @param manifest content digest of the dataset manifest (sha2-256 of its CID's content)
    /// @return jobId index of the job in this factory
    /// @return instance address of the job's JobInstance
    function createJob(
        uint32 numItems,
        uint8 numClasses,
        uint8 redundancy,
        uint96 pricePerLabel,
        uint48 deadline,
        uint96 budget,
        bytes32 manifest
    ) external returns (uint256 jobId, address instance) {
        if (numItems == 0 || numItems > MAX_ITEMS) revert ItemCountOutOfRange();
        if (numClasses < 2 || numClasses > MAX_CLASSES) revert ClassCountOutOfRange();
        if (redundancy == 0 || redundancy > MAX_REDUNDANCY) revert RedundancyOutOfRange();
        if (deadline <= block.timestamp) revert DeadlineNotInFuture();
        if (budget == 0) revert BudgetOutOfRange();
        address oracle_ = oracle;
        (address guardian_, uint48 disputeWindow_) = (guardian, disputeWindow);
        // Layout read by JobInstance: one word per reader (see its NatSpec).
        bytes memory args = abi.encodePacked(
            abi.encodePacked(oracle_, numItems, numClasses, redundancy, deadline, msg.sender, budget),
            abi.encodePacked(address(token), pricePerLabel, manifest, guardian_, disputeWindow_, uint48(0))
        );
        instance = Clones.cloneWithImmutableArgs(implementation, args);
        jobId = _jobs.length;
        _jobs.push(instance);
        token.safeTransferFrom(msg.sender, instance, budget);
        emit JobCreated(
            jobId, instance, msg.sender, budget, oracle_, numItems, numClasses, redundancy, pricePerLabel, deadline, manifest
        );
        emit JobDisputeTerms(jobId, guardian_, disputeWindow_);
    }

    /// @notice Number of jobs created.
    function jobCount() external view returns (uint256) {
        return _jobs.length;
    }

    /// @notice The JobInstance of job `jobId`.
    function jobAt(uint256 jobId) external view returns (address) {
        return _jobs[jobId];
    }
}
