// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IJobInstance} from "./interfaces/IJobInstance.sol";

/// @dev The Groth16 verifier snarkjs exports for contracts/circuits/anon_claim.circom.
interface IAnonClaimVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[12] calldata publicSignals
    ) external view returns (bool);
}

/// @title AnonymousRewards — anonymous reward claims for correct anonymous labels
/// @notice After a job settles, its oracle posts the root of a Poseidon Merkle tree (depth 14) whose
///         leaves are the Semaphore nullifiers of the job's correct anonymous labels (AnonymousLabel
///         events checked against the posted truth, so anyone can recompute the root). The job's
///         payout tree holds one leaf for this contract worth rewardPerLabel × correctCount, which
///         anyone pulls in. A labeler then proves in zero knowledge that up to SLOTS of those leaves
///         are its own and is paid count × rewardPerLabel at an address of its choice, through any
///         relayer: the proof binds the job and the recipient, and every label reveals a claim
///         nullifier, spent here, that nobody without the identity secret can link to the label.
/// @dev One singleton serves every job; each job's pool is accounted separately and pulled by the
///      measured balance change, so a contract that merely claims to be a job cannot spend another
///      job's tokens (calls that move tokens are non-reentrant for the same reason).
contract AnonymousRewards is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Labels one claim proof can cover (the circuit's N).
    uint256 public constant SLOTS = 8;
    /// @notice Depth of the correct-labels tree (the circuit's D): at most 2^14 correct labels per job.
    uint256 public constant TREE_DEPTH = 14;
    /// @notice How long a pulled pool pays claims; then the job's requester may sweep the rest.
    uint256 public constant CLAIM_PERIOD = 180 days;

    struct Pool {
        uint256 root; // Poseidon root of the correct labels' nullifiers; 0 = not posted
        address token;
        uint96 rewardPerLabel;
        uint32 correctCount;
        bool pulled;
        uint96 paid;
        uint40 claimDeadline; // set when the pool is pulled
        bool swept;
    }

    /// @notice The Groth16 verifier of the anon_claim circuit.
    IAnonClaimVerifier public immutable verifier;

    mapping(address job => Pool) private _pools;
    /// @notice Claim nullifiers already paid (one per correct label, across all claims of all jobs).
    mapping(uint256 claimNullifier => bool) public spent;

    /// @notice The job's oracle published the correct-labels root; the pool is rewardPerLabel × correctCount.
    event CorrectRootPosted(address indexed job, uint256 root, uint256 rewardPerLabel, uint256 correctCount);
    /// @notice The job's anonymous pool arrived from its payout tree.
    event PoolPulled(address indexed job, uint256 amount);
    /// @notice `count` correct labels were paid to `recipient`; the claim nullifiers are in the calldata.
    event AnonymousRewardClaimed(address indexed job, address indexed recipient, uint256 count, uint256 amount);
    /// @notice After the claim deadline the job's requester took back what the pool had not paid.
    event PoolSwept(address indexed job, address indexed requester, uint256 amount);

    error NotOracle();
    error NotSettled();
    error RootAlreadyPosted();
    error InvalidRoot();
    error EmptyPool();
    error PoolTooLarge();
    error RootNotPosted();
    error PoolMismatch(uint256 expected, uint256 received);
    error PoolAlreadyPulled();
    error PoolNotPulled();
    error InvalidCount();
    error ZeroAddress();
    error PoolExhausted();
    error NullifierSpent(uint256 claimNullifier);
    error InvalidProof();
    error ClaimsClosed();
    error NotRequester();
    error SweepTooEarly(uint256 claimDeadline);
    error AlreadySwept();

    /// @param verifier_ the snarkjs-exported verifier of contracts/circuits/anon_claim.circom
    constructor(IAnonClaimVerifier verifier_) {
        verifier = verifier_;
    }

    /// @notice Publish the correct-labels root of a settled job; only the job's oracle, once.
    /// @param job the JobInstance
    /// @param root Poseidon root (depth TREE_DEPTH, zero leaves) of the sorted nullifiers of the
    ///        job's correct anonymous labels
    /// @param rewardPerLabel tokens paid per correct label
    /// @param correctCount number of leaves; the job's payout tree must give this contract
    ///        rewardPerLabel × correctCount
    function postCorrectRoot(address job, uint256 root, uint256 rewardPerLabel, uint256 correctCount) external {
        (address oracle,, address token,,,,,,,) = IJobInstance(job).params();
        if (msg.sender != oracle) revert NotOracle();
        (,, bool settled,) = IJobInstance(job).escrowState();
        if (!settled) revert NotSettled();
        Pool storage pool = _pools[job];
        if (pool.root != 0) revert RootAlreadyPosted();
        if (root == 0) revert InvalidRoot();
        if (correctCount == 0 || rewardPerLabel == 0) revert EmptyPool();
        // rewardPerLabel is bounded first so the product cannot overflow.
        if (
            correctCount > 1 << TREE_DEPTH || rewardPerLabel > type(uint96).max
                || rewardPerLabel * correctCount > type(uint96).max
        ) revert PoolTooLarge();
        pool.root = root;
        pool.token = token;
        pool.rewardPerLabel = uint96(rewardPerLabel);
        pool.correctCount = uint32(correctCount);
        emit CorrectRootPosted(job, root, rewardPerLabel, correctCount);
    }

    /// @notice Claim this contract's leaf of the job's payout tree (the anonymous pool); anyone.
    /// @param job the JobInstance
    /// @param index the leaf's index in the settlement report
    /// @param amount the leaf's amount; must be rewardPerLabel × correctCount
    /// @param proof the leaf's OpenZeppelin Merkle proof
    function pullPool(address job, uint256 index, uint256 amount, bytes32[] calldata proof) external nonReentrant {
        Pool storage pool = _pools[job];
        if (pool.root == 0) revert RootNotPosted();
        if (pool.pulled) revert PoolAlreadyPulled();
        uint256 expected = uint256(pool.rewardPerLabel) * pool.correctCount;
        if (amount != expected) revert PoolMismatch(expected, amount);
        pool.pulled = true;
        pool.claimDeadline = uint40(block.timestamp + CLAIM_PERIOD);
        IERC20 token = IERC20(pool.token);
        uint256 before = token.balanceOf(address(this));
        IJobInstance(job).claim(index, amount, proof);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != expected) revert PoolMismatch(expected, received);
        emit PoolPulled(job, received);
    }

    /// @notice Pay `count` correct labels to `recipient` on a zero-knowledge proof; anyone may send it,
    ///         until the pool's claim deadline. Spent nullifiers are refused before the proof is
    ///         verified, so a copied claim fails cheaply.
    /// @param job the JobInstance
    /// @param count used slots of the proof
    /// @param recipient receives count × rewardPerLabel; bound to the proof
    /// @param claimNullifiers one per slot, 0 for unused slots; each is spent once
    /// @param proof Groth16 proof [a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y] as snarkjs exports it
    function claim(
        address job,
        uint256 count,
        address recipient,
        uint256[SLOTS] calldata claimNullifiers,
        uint256[8] calldata proof
    ) external nonReentrant {
        Pool storage pool = _pools[job];
        uint256 root = pool.root;
        if (root == 0) revert RootNotPosted();
        if (!pool.pulled) revert PoolNotPulled();
        if (block.timestamp >= pool.claimDeadline) revert ClaimsClosed();
        if (count == 0 || count > SLOTS) revert InvalidCount();
        if (recipient == address(0)) revert ZeroAddress();
        uint256 amount = count * pool.rewardPerLabel;
        uint256 paid = pool.paid + amount;
        if (paid > uint256(pool.rewardPerLabel) * pool.correctCount) revert PoolExhausted();
        // A nullifier repeated within this claim is caught too: its second slot finds it spent.
        for (uint256 i; i < SLOTS; ++i) {
            uint256 nullifier = claimNullifiers[i];
            if (nullifier == 0) continue;
            if (spent[nullifier]) revert NullifierSpent(nullifier);
            spent[nullifier] = true;
        }
        if (!verifier.verifyProof(
            [proof[0], proof[1]],
            [[proof[2], proof[3]], [proof[4], proof[5]]],
            [proof[6], proof[7]],
            _publicSignals(job, root, count, recipient, claimNullifiers)
        )) revert InvalidProof();
        pool.paid = uint96(paid);
        IERC20(pool.token).safeTransfer(recipient, amount);
        emit AnonymousRewardClaimed(job, recipient, count, amount);
    }

    /// @notice After the pool's claim deadline, send the job's requester what it has not paid; once.
    /// @param job the JobInstance
    function sweep(address job) external nonReentrant {
        (, address requester,,,,,,,,) = IJobInstance(job).params();
        if (msg.sender != requester) revert NotRequester();
        Pool storage pool = _pools[job];
        if (!pool.pulled) revert PoolNotPulled();
        if (block.timestamp < pool.claimDeadline) revert SweepTooEarly(pool.claimDeadline);
        if (pool.swept) revert AlreadySwept();
        pool.swept = true;
        uint256 amount = uint256(pool.rewardPerLabel) * pool.correctCount - pool.paid;
        if (amount > 0) IERC20(pool.token).safeTransfer(requester, amount);
        emit PoolSwept(job, requester, amount);
    }

    /// @notice The pool's claim deadline (0 until pulled) and whether it was swept.
    function poolDeadline(address job) external view returns (uint256 claimDeadline, bool swept) {
        Pool storage p = _pools[job];
        return (p.claimDeadline, p.swept);
    }

    /// @notice The job's pool: posted root, reward per label, number of correct labels, whether it
    ///         was pulled in, and the amount paid so far.
    function pool(address job)
        external
        view
        returns (uint256 root, uint256 rewardPerLabel, uint256 correctCount, bool pulled, uint256 paid)
    {
        Pool storage p = _pools[job];
        return (p.root, p.rewardPerLabel, p.correctCount, p.pulled, p.paid);
    }

    /// @notice The circuit's jobScope input for `job`: binds a proof to this chain, this contract and the job.
    function jobScope(address job) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), job))) >> 8;
    }

    /// @dev The circuit's public signals: outputs (count, claim nullifiers) then inputs (root, jobScope, recipient).
    function _publicSignals(
        address job,
        uint256 root,
        uint256 count,
        address recipient,
        uint256[SLOTS] calldata claimNullifiers
    ) private view returns (uint256[12] memory signals) {
        signals[0] = count;
        for (uint256 i; i < SLOTS; ++i) {
            signals[1 + i] = claimNullifiers[i];
        }
        signals[9] = root;
        signals[10] = jobScope(job);
        signals[11] = uint160(recipient);
    }
}
