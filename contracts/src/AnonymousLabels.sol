// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ISemaphoreVerifier} from "@semaphore-protocol/contracts/interfaces/ISemaphoreVerifier.sol";
import {MIN_DEPTH, MAX_DEPTH} from "@semaphore-protocol/contracts/base/Constants.sol";
import {InternalLeanIMT, LeanIMTData} from "@zk-kit/lean-imt.sol/InternalLeanIMT.sol";
import {IJobInstance} from "./interfaces/IJobInstance.sol";

/// @title AnonymousLabels — anonymous labels for every job, proven with Semaphore v4
/// @notice One singleton for all jobs. Each job has an anonymity group (a LeanIMT of Semaphore
///         identity commitments) filled by the job's oracle with qualified labelers. A member sends a
///         label through any relayer with a Groth16 proof of membership whose
///         - scope binds (chain id, this contract, job, item): the nullifier is per item, so one
///           identity labels an item once and its labels on different items cannot be linked;
///         - message binds (job, item, label): a proof replayed with other data does not verify.
/// @dev Proofs are checked against SemaphoreVerifier directly, never through Semaphore.sol's public
///      `validateProof`: there anyone could copy a relayed proof from the mempool and spend its
///      nullifier first, so the label would be lost. Nullifiers live here, per job.
///      Tally word per (job, item): 16 counters of 16 bits, counter c = anonymous votes for class c.
contract AnonymousLabels {
    using InternalLeanIMT for LeanIMTData;

    /// @notice How many roots back a proof may be made against: a proof made just before other
    ///         members joined still verifies. One `addMembers` call makes one root.
    uint256 public constant ROOT_HISTORY = 32;
    /// @notice Most classes a job can have (as in JobInstance): one 16-bit tally counter each.
    uint256 public constant MAX_CLASSES = 16;

    uint256 private constant COUNTER_BITS = 16;
    uint256 private constant COUNTER_MASK = 0xffff;

    struct Group {
        LeanIMTData tree;
        // Number of roots this group has had; root r was the `rootSeq[r]`-th (1-based).
        uint256 rootCount;
        mapping(uint256 root => uint256) rootSeq;
        mapping(uint256 nullifier => bool) nullifierUsed;
        mapping(uint256 itemId => uint256) tally;
        // Anonymous labels recorded in the job: bounds the anonymous pool's payout leaf (JobInstance.claim).
        uint256 labelCount;
    }

    /// @notice Semaphore v4's Groth16 verifier (one verification key per tree depth 1..32).
    ISemaphoreVerifier public immutable verifier;

    mapping(address job => Group) private _groups;

    /// @notice Identity commitments joined `job`'s group at leaf indexes startIndex, startIndex + 1, ...
    ///         An indexer rebuilds the group (and the browser its Merkle proofs) from these.
    event MembersAdded(address indexed job, uint256 startIndex, uint256[] commitments);
    /// @notice An anonymous member labelled `itemId` of `job`; the nullifier is unique per (job, item, member).
    event AnonymousLabel(address indexed job, uint32 itemId, uint8 label, uint256 nullifier);

    error NotOracle();
    error NoMembers();
    error LabellingClosed();
    error ItemOutOfRange(uint256 itemId);
    error ClassOutOfRange(uint256 itemId, uint256 label);
    error ItemFull(uint256 itemId);
    error DepthNotSupported(uint256 depth);
    error UnknownRoot(uint256 root);
    error NullifierUsed(uint256 nullifier);
    error InvalidProof();
    error MalformedBatch();

    /// @param verifier_ a deployed SemaphoreVerifier
    constructor(ISemaphoreVerifier verifier_) {
        verifier = verifier_;
    }

    // --- group ---------------------------------------------------------------------------------

    /// @notice Add identity commitments to `job`'s group; only the job's oracle (it admits qualified
    ///         labelers). Creates one new root; the last ROOT_HISTORY roots stay valid for proofs.
    /// @param job a JobInstance clone
    /// @param commitments Semaphore identity commitments, non-zero, below the SNARK field, new to the group
    function addMembers(address job, uint256[] calldata commitments) external {
        (address oracle,,,,,,,,,) = IJobInstance(job).params();
        if (msg.sender != oracle) revert NotOracle();
        if (commitments.length == 0) revert NoMembers();
        Group storage group = _groups[job];
        uint256 startIndex = group.tree.size;
        uint256 root = group.tree._insertMany(commitments);
        uint256 count = group.rootCount + 1;
        group.rootCount = count;
        group.rootSeq[root] = count;
        emit MembersAdded(job, startIndex, commitments);
    }

    /// @notice The current root of `job`'s group (0 while empty).
    function groupRoot(address job) external view returns (uint256) {
        return _groups[job].tree._root();
    }

    /// @notice Number of members in `job`'s group.
    function groupSize(address job) external view returns (uint256) {
        return _groups[job].tree.size;
    }

    /// @notice Current depth of `job`'s group tree (proofs may use any circuit depth at least this).
    function groupDepth(address job) external view returns (uint256) {
        return _groups[job].tree.depth;
    }

    /// @notice Whether `commitment` is a member of `job`'s group.
    function isMember(address job, uint256 commitment) external view returns (bool) {
        return _groups[job].tree._has(commitment);
    }

    /// @notice Whether proofs against `root` are accepted now for `job`.
    function isKnownRoot(address job, uint256 root) public view returns (bool) {
        Group storage group = _groups[job];
        uint256 seq = group.rootSeq[root];
        return seq != 0 && group.rootCount - seq < ROOT_HISTORY;
    }

    /// @notice Anonymous labels recorded for `job` (the job pays its anonymous pool at most this × price).
    function anonymousLabelCount(address job) external view returns (uint256) {
        return _groups[job].labelCount;
    }

    /// @notice Whether `nullifier` has been spent in `job`.
    function nullifierUsed(address job, uint256 nullifier) external view returns (bool) {
        return _groups[job].nullifierUsed[nullifier];
    }

    // --- labels --------------------------------------------------------------------------------

    /// @notice Record one anonymous label; anyone may send it (a relayer), the proof speaks for the member.
    /// @param job the JobInstance being labelled
    /// @param itemId item index in the job
    /// @param label class index
    /// @param merkleTreeDepth circuit depth the proof was made with (1..32)
    /// @param merkleTreeRoot group root the proof was made against (current or one of the last ROOT_HISTORY)
    /// @param nullifier the proof's nullifier, unique per (member, job, item)
    /// @param points the Groth16 proof packed as by @semaphore-protocol/proof
    function submitLabel(
        address job,
        uint32 itemId,
        uint8 label,
        uint256 merkleTreeDepth,
        uint256 merkleTreeRoot,
        uint256 nullifier,
        uint256[8] calldata points
    ) external {
        (uint256 numItems, uint256 numClasses, uint256 redundancy) = _openJob(job);
        _record(
            job, numItems, numClasses, redundancy, itemId, label, merkleTreeDepth, merkleTreeRoot, nullifier, points
        );
    }

    /// @notice Record several anonymous labels of one job in one transaction (one proof each, since
    ///         each item has its own scope). The whole batch reverts on any bad entry.
    /// @param job the JobInstance being labelled
    /// @param itemIds items, one per label
    /// @param labels class indexes
    /// @param merkleTreeDepths circuit depth of each proof
    /// @param merkleTreeRoots group root of each proof
    /// @param nullifiers nullifier of each proof
    /// @param points packed Groth16 proofs
    function submitLabels(
        address job,
        uint32[] calldata itemIds,
        uint8[] calldata labels,
        uint256[] calldata merkleTreeDepths,
        uint256[] calldata merkleTreeRoots,
        uint256[] calldata nullifiers,
        uint256[8][] calldata points
    ) external {
        uint256 n = itemIds.length;
        if (
            n == 0 || labels.length != n || merkleTreeDepths.length != n || merkleTreeRoots.length != n
                || nullifiers.length != n || points.length != n
        ) revert MalformedBatch();
        (uint256 numItems, uint256 numClasses, uint256 redundancy) = _openJob(job);
        for (uint256 i; i < n; ++i) {
            _record(
                job,
                numItems,
                numClasses,
                redundancy,
                itemIds[i],
                labels[i],
                merkleTreeDepths[i],
                merkleTreeRoots[i],
                nullifiers[i],
                points[i]
            );
        }
    }

    /// @notice Anonymous votes on an item, one count per class (reverts for an item the job does not have).
    function anonymousTally(address job, uint32 itemId) external view returns (uint256[] memory counts) {
        (,,, uint256 numItems, uint256 numClasses,,,,,) = IJobInstance(job).params();
        if (itemId >= numItems) revert ItemOutOfRange(itemId);
        uint256 word = _groups[job].tally[itemId];
        counts = new uint256[](numClasses);
        for (uint256 c; c < numClasses; ++c) {
            counts[c] = (word >> (COUNTER_BITS * c)) & COUNTER_MASK;
        }
    }

    /// @notice The scope a label proof for (job, item) is made with: the value passed as `scope` to
    ///         Semaphore's generateProof (the circuit sees its hash, see `_hash`).
    function labelScope(address job, uint32 itemId) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), job, itemId)));
    }

    /// @notice The message a label proof carries: the value passed as `message` to generateProof.
    function labelMessage(address job, uint32 itemId, uint8 label) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(job, itemId, label)));
    }

    function _openJob(address job) private view returns (uint256 numItems, uint256 numClasses, uint256 redundancy) {
        uint256 deadline;
        (,,, numItems, numClasses, redundancy, deadline,,,) = IJobInstance(job).params();
        // As in JobInstance: the deadline or the requester's stop ends labelling (a root needs one).
        (bool stopped,,,,,) = IJobInstance(job).settlementState();
        if (block.timestamp > deadline || stopped) revert LabellingClosed();
    }

    function _record(
        address job,
        uint256 numItems,
        uint256 numClasses,
        uint256 redundancy,
        uint32 itemId,
        uint8 label,
        uint256 merkleTreeDepth,
        uint256 merkleTreeRoot,
        uint256 nullifier,
        uint256[8] calldata points
    ) private {
        if (itemId >= numItems) revert ItemOutOfRange(itemId);
        // MAX_CLASSES too: the tally word has 16 counters, whatever a job contract claims.
        if (label >= numClasses || label >= MAX_CLASSES) revert ClassOutOfRange(itemId, label);
        Group storage group = _groups[job];
        uint256 word = group.tally[itemId];
        if (_total(word, numClasses) >= redundancy) revert ItemFull(itemId);
        if (merkleTreeDepth < MIN_DEPTH || merkleTreeDepth > MAX_DEPTH) revert DepthNotSupported(merkleTreeDepth);
        if (!isKnownRoot(job, merkleTreeRoot)) revert UnknownRoot(merkleTreeRoot);
        if (group.nullifierUsed[nullifier]) revert NullifierUsed(nullifier);
        _verify(
            points,
            [
                merkleTreeRoot,
                nullifier,
                _hash(labelMessage(job, itemId, label)),
                _hash(labelScope(job, itemId))
            ],
            merkleTreeDepth
        );
        group.nullifierUsed[nullifier] = true;
        // No overflow: a counter never exceeds the redundancy (< 2^8).
        group.tally[itemId] = word + (1 << (COUNTER_BITS * label));
        ++group.labelCount;
        emit AnonymousLabel(job, itemId, label, nullifier);
    }

    /// @dev The verifier returns false on a bad proof; turn that into a revert so eth_call and
    ///      eth_estimateGas see the failure instead of a "successful" call.
    function _verify(uint256[8] calldata p, uint256[4] memory signals, uint256 depth) private view {
        bool ok = verifier.verifyProof([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], signals, depth);
        if (!ok) revert InvalidProof();
    }

    function _total(uint256 word, uint256 numClasses) private pure returns (uint256 total) {
        for (uint256 c; c < numClasses; ++c) {
            total += (word >> (COUNTER_BITS * c)) & COUNTER_MASK;
        }
    }

    /// @dev Semaphore's hash into the SNARK field (as @semaphore-protocol/proof's `hash`).
    function _hash(uint256 value) private pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(value))) >> 8;
    }
}
