// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IJobInstance} from "./interfaces/IJobInstance.sol";

/// @dev The one AnonymousLabels view a job reads: its anonymous label count bounds the pool's leaf.
interface IAnonymousLabelCount {
    function anonymousLabelCount(address job) external view returns (uint256);
}

/// @title JobInstance — one labeling job: escrow, admitted workers, votes, truth, payouts, refund
/// @notice Deployed by JobManagement as an EIP-1167 clone whose job parameters are immutable clone
///         arguments (appended to the clone's code), so reading them costs no SLOAD.
/// @dev Storage is laid out so that recording a label writes exactly one word (the item's):
///      - item word: bits 0-3 vote count, bits 4-7 extra cap granted by the oracle, then up to 12
///        votes of 20 bits each from bit 16: (worker index << 4 | label). Double votes are found by
///        scanning the item's own votes; tallies and the majority are derived in views.
///      - worker record: bits 0-15 index (1-based, 0 = not admitted), 16-31 voting weight (0 = the
///        default weight 1; set by the oracle, read only by views), 32-95 relay nonces (the highest
///        used in bits 56-95, below it a window of the NONCE_WINDOW previous nonces, bit k = highest
///        - 1 - k used), bit 96 claimed, 128-159 labels recorded on chain (what bounds the claim).
///        A batch reads this word anyway, so counting its labels costs one warm write.
///      - truth: 64 items per word, 4 bits each.
///      - state: total payout, amount paid, worker count, the root/refunded/stopped/swept flags and
///        the time claims open, in one word.
///      Clone arguments (160 bytes, big-endian, one word per reader):
///      [oracle 20 | numItems 4 | numClasses 1 | redundancy 1 | deadline 6]
///      [requester 20 | budget 12] [token 20 | pricePerLabel 12] [manifest 32]
///      [guardian 20 | disputeWindow 6 | unused 6].
///      Money paths: the oracle's root is accepted only once labelling is closed (deadline or the
///      requester's stop), each leaf is bounded by what its account labelled on chain, the root can
///      be cancelled by the requester (once) or the guardian during the dispute window, claims run
///      from the window's end for CLAIM_PERIOD, after which the requester sweeps what is left.
contract JobInstance is EIP712, IJobInstance {
    using SafeERC20 for IERC20;

    /// @notice Most classes a job can have (labels and truth are 4-bit values).
    uint256 public constant MAX_CLASSES = 16;
    /// @notice Most votes an item word holds, redundancy plus extensions included.
    uint256 public constant MAX_VOTES = 12;
    /// @notice Time after the deadline the oracle has to post the payout root before the requester
    ///         may take the whole escrow back.
    uint256 public constant SETTLEMENT_GRACE = 7 days;
    /// @notice How long claims stay open after the dispute window; then the requester may sweep.
    uint256 public constant CLAIM_PERIOD = 180 days;
    /// @notice Relay nonces below the highest used that may still be used once (out-of-order relays).
    uint256 public constant NONCE_WINDOW = 24;
    /// @notice EIP-712 type of a relayed label batch; items and labels are the unpacked batch.
    bytes32 public constant LABEL_BATCH_TYPEHASH =
        keccak256("LabelBatch(address worker,uint32[] itemIds,uint8[] labels,uint64 nonce)");
    /// @notice EIP-712 type of a relayed box batch: labels packed as in submitLabels (each label is
    ///         min(box count, 15)) and, per label, the commitment to the item's full box set.
    bytes32 public constant BOX_BATCH_TYPEHASH =
        keccak256("BoxBatch(address worker,bytes labels,bytes32[] commitments,uint64 nonce)");

    uint256 private constant PROXY_CODE_SIZE = 45;
    uint256 private constant VOTES_OFFSET = 16;
    uint256 private constant VOTE_BITS = 20;
    uint256 private constant MAX_WORKERS = type(uint16).max;
    uint256 private constant WEIGHT_SHIFT = 16;
    uint256 private constant NONCE_SHIFT = 32;
    uint256 private constant NONCE_MASK = type(uint64).max;
    uint256 private constant WINDOW_MASK = (1 << NONCE_WINDOW) - 1;
    uint256 private constant MAX_NONCE = type(uint40).max;
    uint256 private constant CLAIMED_BIT = 1 << 96;
    uint256 private constant LABELS_SHIFT = 128;
    uint256 private constant PAID_SHIFT = 96;
    uint256 private constant WORKER_COUNT_SHIFT = 192;
    uint256 private constant ROOT_BIT = 1 << 208;
    uint256 private constant REFUNDED_BIT = 1 << 209;
    uint256 private constant STOPPED_BIT = 1 << 210;
    uint256 private constant SWEPT_BIT = 1 << 211;
    uint256 private constant REQUESTER_CANCELLED_BIT = 1 << 212;
    uint256 private constant CLAIMS_OPEN_SHIFT = 216;
    uint256 private constant AMOUNT_MASK = type(uint96).max;
    uint256 private constant LANE_ONES = 0x0101010101010101010101010101010101010101010101010101010101010101;
    uint256 private constant LOW_NIBBLES = 0x0f * LANE_ONES;
    uint256 private constant LANE_CARRIES = 0x10 * LANE_ONES;

    address private immutable _self;
    address private immutable _anonymousLabels;
    address private immutable _anonymousRewards;

    uint256 private _state;
    /// @notice Merkle root of the payouts; zero until the oracle settles the job (and again after a
    ///         cancellation).
    bytes32 public payoutRoot;
    mapping(address worker => uint256) private _workers;
    mapping(uint256 itemId => uint256) private _items;
    mapping(uint256 wordIndex => uint256) private _truth;
    /// @dev Worker index -> address, for the workers setWeights has weighted (votes hold indexes).
    mapping(uint256 index => address) private _weightedWorker;

    /// @notice Workers admitted after off-chain qualification; worker i has index firstIndex + i.
    event WorkersAdmitted(uint256 firstIndex, address[] workers);
    /// @notice The oracle set these workers' voting weights (0 = the default weight 1).
    event WeightsSet(address[] workers, uint16[] weights);
    /// @notice A batch of labels, packed as in submitLabels; the indexer rebuilds votes from these.
    event LabelsSubmitted(address indexed worker, bytes labels);
    /// @notice A batch of bounding-box votes: labels packed as in LabelsSubmitted (label = min(box
    ///         count, 15)) and commitments[i] = keccak256 of the canonical box set of the i-th label's
    ///         item; the indexer confirms the stored boxes only when they hash to it.
    event BoxesSubmitted(address indexed worker, bytes labels, bytes32[] commitments);
    /// @notice The oracle raised the vote cap of these items by `extra`.
    event RedundancyExtended(uint32[] itemIds, uint8 extra);
    /// @notice Truth for items startItem .. startItem + 64 * words.length - 1, 4 bits per item.
    event TruthPosted(uint256 startItem, uint256[] words);
    /// @notice The job is settled: payouts are the leaves of `root`, explained by the report.
    event PayoutRootPosted(bytes32 root, uint256 totalPayout, string reportCid);
    /// @notice Claims of the root just posted open at `claimsOpenAt` and close at `claimDeadline`.
    event DisputeWindowStarted(bytes32 indexed root, uint256 claimsOpenAt, uint256 claimDeadline);
    /// @notice `by` (the requester or the guardian) cancelled the pending root; a new one may be posted.
    event RootCancelled(bytes32 indexed root, address indexed by, string reason);
    /// @notice The requester stopped labelling before the deadline.
    event Stopped(address indexed requester);
    /// @notice After the claim deadline the requester took back everything the escrow still held.
    event Swept(address indexed requester, uint256 amount);
    /// @notice Tokens beyond what the escrow holds for claims and refund went back to the requester.
    event TokensRecovered(address indexed token, address indexed requester, uint256 amount);
    /// @notice `account` claimed its payout leaf `index`.
    event Claimed(uint256 indexed index, address indexed account, uint256 amount);
    /// @notice What was left of the escrow went back to the requester.
    event Refunded(address indexed requester, uint256 amount);

    error NotAClone();
    error NotOracle();
    error NotRequester();
    error ZeroAddress();
    error AlreadyAdmitted(address worker);
    error TooManyWorkers();
    error NotAdmitted(address worker);
    error LabellingClosed();
    error MalformedBatch();
    error ItemOutOfRange(uint256 itemId);
    error ClassOutOfRange(uint256 itemId, uint256 label);
    error ItemFull(uint256 itemId);
    error AlreadyVoted(uint256 itemId);
    error RedundancyTooHigh(uint256 itemId);
    error NonceUsed(uint64 nonce);
    error InvalidSignature();
    error MalformedTruth();
    error MalformedWeights();
    error AlreadySettled();
    error NotSettled();
    error NotDue();
    error NotRequesterOrGuardian();
    error AlreadyCancelled();
    error DisputeWindowOver();
    error ClaimsNotOpen(uint256 claimsOpenAt);
    error ClaimsClosed();
    error NothingEarned(address account);
    error PayoutAboveEarned(uint256 earned);
    error SweepTooEarly(uint256 claimDeadline);
    error NothingToRecover();
    error PayoutExceedsEscrow();
    error InvalidProof();
    error AlreadyClaimed();
    error AlreadyRefunded();
    error RefundTooEarly();

    /// @param anonymousLabels_ the AnonymousLabels singleton: its per-job label count bounds the pool leaf
    /// @param anonymousRewards_ the AnonymousRewards singleton, the one non-labeller a leaf may pay
    constructor(address anonymousLabels_, address anonymousRewards_) EIP712("CrowdAL JobInstance", "1") {
        if (anonymousLabels_ == address(0) || anonymousRewards_ == address(0)) revert ZeroAddress();
        _self = address(this);
        _anonymousLabels = anonymousLabels_;
        _anonymousRewards = anonymousRewards_;
    }

    // --- workers -------------------------------------------------------------------------------

    /// @notice Admit workers who passed qualification; only the oracle. Each gets the next index.
    /// @param workers accounts to admit; none may be zero or already admitted
    function admitWorkers(address[] calldata workers) external {
        _onlyOracle();
        uint256 state = _state;
        uint256 first = ((state >> WORKER_COUNT_SHIFT) & MAX_WORKERS) + 1;
        uint256 count = first - 1 + workers.length;
        if (count > MAX_WORKERS) revert TooManyWorkers();
        for (uint256 i; i < workers.length; ++i) {
            address worker = workers[i];
            if (worker == address(0)) revert ZeroAddress();
            uint256 record = _workers[worker];
            if (record & MAX_WORKERS != 0) revert AlreadyAdmitted(worker);
            _workers[worker] = record | (first + i);
        }
        _state = (state & ~(MAX_WORKERS << WORKER_COUNT_SHIFT)) | (count << WORKER_COUNT_SHIFT);
        emit WorkersAdmitted(first, workers);
    }

    /// @notice A worker's 1-based index (0 when not admitted), highest relay nonce used and claim flag.
    function workerInfo(address worker) external view returns (uint16 index, uint64 lastNonce, bool claimed) {
        uint256 record = _workers[worker];
        return (uint16(record), uint64(uint40(record >> (NONCE_SHIFT + NONCE_WINDOW))), record & CLAIMED_BIT != 0);
    }

    /// @notice Labels (and box votes) `worker` recorded on chain: its leaf pays at most this × pricePerLabel.
    function labelCount(address worker) external view returns (uint256) {
        return uint32(_workers[worker] >> LABELS_SHIFT);
    }

    /// @notice Whether relay nonce `nonce` of `worker` can still be used (unused and within the window).
    function nonceUsable(address worker, uint64 nonce) external view returns (bool) {
        (bool usable,) = _nextNonceField((_workers[worker] >> NONCE_SHIFT) & NONCE_MASK, nonce);
        return usable;
    }

    /// @notice Number of admitted workers.
    function workerCount() external view returns (uint256) {
        return (_state >> WORKER_COUNT_SHIFT) & MAX_WORKERS;
    }

    // --- voting weights ------------------------------------------------------------------------

    /// @notice Set admitted workers' voting weights (derived from reputation off chain); only the
    ///         oracle, before settlement. Setting a weight again replaces it. Labels never read the
    ///         weights, so they cost labelling nothing; weightedTally does.
    /// @param workers admitted workers
    /// @param weights one per worker; 0 means the default weight 1
    function setWeights(address[] calldata workers, uint16[] calldata weights) external {
        _onlyOracle();
        if (_state & ROOT_BIT != 0) revert AlreadySettled();
        if (workers.length != weights.length) revert MalformedWeights();
        for (uint256 i; i < workers.length; ++i) {
            address worker = workers[i];
            uint256 record = _workers[worker];
            uint256 index = record & MAX_WORKERS;
            if (index == 0) revert NotAdmitted(worker);
            _workers[worker] = (record & ~(MAX_WORKERS << WEIGHT_SHIFT)) | (uint256(weights[i]) << WEIGHT_SHIFT);
            _weightedWorker[index] = worker;
        }
        emit WeightsSet(workers, weights);
    }

    /// @notice A worker's voting weight: 1 unless the oracle set another (see setWeights).
    function weightOf(address worker) public view returns (uint256 weight) {
        weight = (_workers[worker] >> WEIGHT_SHIFT) & MAX_WORKERS;
        if (weight == 0) weight = 1;
    }

    /// @notice Sum of the voting weights of an item's votes per class (length numClasses); a worker
    ///         never weighted counts 1, so with no weights set this equals tally's counts.
    function weightedTally(uint256 itemId) external view returns (uint256[] memory weights) {
        (uint256 numItems, uint256 numClasses,) = _shape(_argWord(0));
        if (itemId >= numItems) revert ItemOutOfRange(itemId);
        uint256 word = _items[itemId];
        weights = new uint256[](numClasses);
        for (uint256 k; k < (word & 15); ++k) {
            uint256 vote = word >> (VOTES_OFFSET + VOTE_BITS * k);
            address worker = _weightedWorker[(vote >> 4) & MAX_WORKERS];
            weights[vote & 15] += worker == address(0) ? 1 : weightOf(worker);
        }
    }

    // --- labels --------------------------------------------------------------------------------

    /// @notice Record a batch of labels from an admitted worker (msg.sender).
    /// @param labels 4 bytes per label, big-endian uint32 (itemId << 4 | label): a quarter of the
    ///        calldata of two ABI arrays. The whole batch reverts on any bad label.
    function submitLabels(bytes calldata labels) external {
        uint256 record = _workers[msg.sender];
        uint256 index = record & MAX_WORKERS;
        if (index == 0) revert NotAdmitted(msg.sender);
        _record(index, labels);
        // No overflow: an account votes once per item and items are below 2^28.
        unchecked {
            _workers[msg.sender] = record + ((labels.length / 4) << LABELS_SHIFT);
        }
        emit LabelsSubmitted(msg.sender, labels);
    }

    /// @notice Record a batch a worker signed off-chain (EIP-712 LabelBatch); anyone may relay it.
    /// @param worker the admitted worker who signed
    /// @param labels packed as in submitLabels; signed as the unpacked itemIds / labels arrays
    /// @param nonce used once: above the worker's highest relayed nonce, or one of the NONCE_WINDOW
    ///        below it not used yet, so batches relayed out of order all count
    /// @param signature 65-byte ECDSA signature of the typed data by `worker`
    function submitLabelsFor(address worker, bytes calldata labels, uint64 nonce, bytes calldata signature)
        external
    {
        bytes32 digest = _hashTypedDataV4(_labelBatchHash(worker, labels, nonce));
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signature);
        if (error != ECDSA.RecoverError.NoError || signer != worker) revert InvalidSignature();
        _record(_useRelayNonce(worker, nonce, labels.length / 4), labels);
        emit LabelsSubmitted(worker, labels);
    }

    /// @notice Record a batch of bounding-box votes a worker signed off-chain (EIP-712 BoxBatch);
    ///         anyone may relay it. Each vote counts like a label (redundancy, double votes, worker
    ///         accounting, tallies); the full boxes stay off chain, bound by their commitment.
    /// @param worker the admitted worker who signed
    /// @param labels packed as in submitLabels, each label min(box count, 15) of its item
    /// @param commitments one per label: keccak256 of the item's canonical box set
    /// @param nonce used once, as in submitLabelsFor (the nonces are shared with label batches)
    /// @param signature 65-byte ECDSA signature of the typed data by `worker`
    function submitBoxesFor(
        address worker,
        bytes calldata labels,
        bytes32[] calldata commitments,
        uint64 nonce,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(BOX_BATCH_TYPEHASH, worker, keccak256(labels), keccak256(abi.encodePacked(commitments)), nonce)
        );
        if (commitments.length * 4 != labels.length) revert MalformedBatch();
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (error != ECDSA.RecoverError.NoError || signer != worker) revert InvalidSignature();
        _record(_useRelayNonce(worker, nonce, commitments.length), labels);
        emit BoxesSubmitted(worker, labels, commitments);
    }

    /// @dev Spend a signed batch's nonce and count its labels in the worker's record (one write);
    ///      returns the worker's index. The caller has checked the signature.
    function _useRelayNonce(address worker, uint64 nonce, uint256 labels) private returns (uint256 index) {
        uint256 record = _workers[worker];
        index = record & MAX_WORKERS;
        if (index == 0) revert NotAdmitted(worker);
        (bool usable, uint256 field) = _nextNonceField((record >> NONCE_SHIFT) & NONCE_MASK, nonce);
        if (!usable) revert NonceUsed(nonce);
        // No overflow: the label count is bounded as in submitLabels.
        unchecked {
            _workers[worker] = ((record & ~(NONCE_MASK << NONCE_SHIFT)) | (field << NONCE_SHIFT)) + (labels << LABELS_SHIFT);
        }
    }

    /// @dev The nonce field after using `nonce`, and whether it may be used: above the highest (the
    ///      window slides, the old highest becoming a used slot) or an unused slot of the window.
    ///      Nonce 0 is never usable: it reads as the highest of a worker who relayed nothing.
    function _nextNonceField(uint256 field, uint64 nonce) private pure returns (bool usable, uint256 next) {
        uint256 highest = field >> NONCE_WINDOW;
        uint256 window = field & WINDOW_MASK;
        if (nonce > highest) {
            if (nonce > MAX_NONCE) return (false, field);
            uint256 gap = nonce - highest;
            window = gap > NONCE_WINDOW ? 0 : ((window << gap) | (1 << (gap - 1))) & WINDOW_MASK;
            return (true, (uint256(nonce) << NONCE_WINDOW) | window);
        }
        uint256 back = highest - nonce;
        if (back == 0 || back > NONCE_WINDOW) return (false, field);
        uint256 bit = 1 << (back - 1);
        if (window & bit != 0) return (false, field);
        return (true, field | bit);
    }

    /// @notice Let the oracle raise the vote cap of disputed items by `extra` labels each, while
    ///         labelling is open; an item's cap never exceeds MAX_VOTES.
    /// @param itemIds items to extend
    /// @param extra votes added to each item's cap
    function extendRedundancy(uint32[] calldata itemIds, uint8 extra) external {
        uint256 head = _onlyOracle();
        _requireLabellingOpen(head);
        (uint256 numItems,, uint256 redundancy) = _shape(head);
        for (uint256 i; i < itemIds.length; ++i) {
            uint256 itemId = itemIds[i];
            if (itemId >= numItems) revert ItemOutOfRange(itemId);
            uint256 word = _items[itemId];
            uint256 granted = ((word >> 4) & 15) + extra;
            if (redundancy + granted > MAX_VOTES) revert RedundancyTooHigh(itemId);
            _items[itemId] = (word & ~uint256(0xf0)) | (granted << 4);
        }
        emit RedundancyExtended(itemIds, extra);
    }

    function _record(uint256 voter, bytes calldata labels) private {
        uint256 head = _argWord(0);
        _requireLabellingOpen(head);
        if (labels.length == 0 || labels.length % 4 != 0) revert MalformedBatch();
        (uint256 numItems, uint256 numClasses, uint256 redundancy) = _shape(head);
        // Bounds are checked explicitly; nothing here can overflow (12 votes of 20 bits fit a word).
        unchecked {
            for (uint256 offset; offset < labels.length; offset += 4) {
                uint256 entry = _entryAt(labels, offset);
                uint256 itemId = entry >> 4;
                uint256 label = entry & 15;
                if (itemId >= numItems) revert ItemOutOfRange(itemId);
                if (label >= numClasses) revert ClassOutOfRange(itemId, label);
                uint256 word = _items[itemId];
                uint256 count = word & 15;
                if (count >= redundancy + ((word >> 4) & 15)) revert ItemFull(itemId);
                for (uint256 shift = VOTES_OFFSET + 4; shift < VOTES_OFFSET + VOTE_BITS * count; shift += VOTE_BITS) {
                    if ((word >> shift) & MAX_WORKERS == voter) revert AlreadyVoted(itemId);
                }
                _items[itemId] = (word + 1) | (((voter << 4) | label) << (VOTES_OFFSET + VOTE_BITS * count));
            }
        }
    }

    /// @dev The 4-byte entry at `offset` of a packed batch (callers keep offset + 4 <= length).
    function _entryAt(bytes calldata labels, uint256 offset) private pure returns (uint256 entry) {
        assembly ("memory-safe") {
            entry := shr(224, calldataload(add(labels.offset, offset)))
        }
    }

    /// @dev EIP-712 hashes an array as keccak of its 32-byte elements: the batch is unpacked into
    ///      one buffer (item ids, then labels) and each half hashed in place.
    function _labelBatchHash(address worker, bytes calldata labels, uint64 nonce) private pure returns (bytes32) {
        uint256 n = labels.length / 4;
        uint256[] memory unpacked = new uint256[](2 * n);
        for (uint256 i; i < n; ++i) {
            uint256 entry = _entryAt(labels, 4 * i);
            unpacked[i] = entry >> 4;
            unpacked[n + i] = entry & 15;
        }
        bytes32 itemIdsHash;
        bytes32 labelsHash;
        assembly ("memory-safe") {
            let half := mul(n, 0x20)
            itemIdsHash := keccak256(add(unpacked, 0x20), half)
            labelsHash := keccak256(add(add(unpacked, 0x20), half), half)
        }
        return keccak256(abi.encode(LABEL_BATCH_TYPEHASH, worker, itemIdsHash, labelsHash, nonce));
    }

    // --- tallies -------------------------------------------------------------------------------

    /// @notice The votes on an item: worker indexes (see WorkersAdmitted) and their labels.
    function votes(uint256 itemId) external view returns (uint16[] memory workers, uint8[] memory labels) {
        uint256 word = _items[itemId];
        uint256 count = word & 15;
        workers = new uint16[](count);
        labels = new uint8[](count);
        for (uint256 k; k < count; ++k) {
            uint256 vote = word >> (VOTES_OFFSET + VOTE_BITS * k);
            workers[k] = uint16(vote >> 4);
            labels[k] = uint8(vote & 15);
        }
    }

    /// @notice Votes per class for an item (length numClasses) and the item's current vote cap.
    function tally(uint256 itemId) public view returns (uint256[] memory counts, uint256 cap) {
        (uint256 numItems, uint256 numClasses, uint256 redundancy) = _shape(_argWord(0));
        if (itemId >= numItems) revert ItemOutOfRange(itemId);
        uint256 word = _items[itemId];
        counts = new uint256[](numClasses);
        for (uint256 k; k < (word & 15); ++k) {
            ++counts[(word >> (VOTES_OFFSET + VOTE_BITS * k)) & 15];
        }
        cap = redundancy + ((word >> 4) & 15);
    }

    /// @notice The most voted label of an item (lowest class on a tie), its votes and all votes.
    function majority(uint256 itemId) external view returns (uint8 label, uint256 topVotes, uint256 totalVotes) {
        (uint256[] memory counts,) = tally(itemId);
        for (uint256 c; c < counts.length; ++c) {
            totalVotes += counts[c];
            if (counts[c] > topVotes) (label, topVotes) = (uint8(c), counts[c]);
        }
    }

    // --- truth and settlement ------------------------------------------------------------------

    /// @notice Post truth for items startItem.. (64 per word, item startItem + j in bits 4j..4j+3)
    ///         ahead of settle, for jobs whose truth does not fit one transaction; only the oracle,
    ///         once labelling is closed and while no root is pending. A later post replaces it.
    /// @param startItem first item covered, a multiple of 64
    /// @param words packed truth; every 4-bit value must be a class of the job
    function postTruth(uint256 startItem, uint256[] calldata words) external {
        uint256 head = _onlyOracle();
        _requireSettleable(head, _state);
        _storeTruth(head, startItem, words);
    }

    function _storeTruth(uint256 head, uint256 startItem, uint256[] calldata words) private {
        if (startItem % 64 != 0 || words.length == 0) revert MalformedTruth();
        (uint256 numItems, uint256 numClasses,) = _shape(head);
        uint256 lastStart = startItem + 64 * (words.length - 1);
        if (lastStart >= numItems) revert ItemOutOfRange(lastStart);
        // Each nibble n is spread into its own byte lane; n + (16 - numClasses) reaches bit 4 of
        // the lane exactly when n >= numClasses, so one word is checked in a handful of operations.
        uint256 offset = (16 - numClasses) * LANE_ONES;
        for (uint256 w; w < words.length; ++w) {
            uint256 word = words[w];
            uint256 low = (word & LOW_NIBBLES) + offset;
            uint256 high = ((word >> 4) & LOW_NIBBLES) + offset;
            if ((low | high) & LANE_CARRIES != 0) {
                uint256 j = _firstNibbleAtLeast(word, numClasses);
                revert ClassOutOfRange(startItem + 64 * w + j, (word >> (4 * j)) & 15);
            }
            _truth[startItem / 64 + w] = word;
        }
        emit TruthPosted(startItem, words);
    }

    /// @dev Position of the first 4-bit value in `word` not below `numClasses` (revert path only).
    function _firstNibbleAtLeast(uint256 word, uint256 numClasses) private pure returns (uint256 j) {
        while ((word >> (4 * j)) & 15 < numClasses) ++j;
    }

    /// @notice The truth the oracle posted for an item (0 until posted; see TruthPosted).
    function truth(uint256 itemId) external view returns (uint8) {
        return uint8((_truth[itemId / 64] >> (4 * (itemId % 64))) & 15);
    }

    /// @notice End labelling before the deadline so the job can be settled now; only the requester.
    function stop() external {
        uint256 head = _argWord(0);
        (address requester,) = _requesterAndBudget();
        if (msg.sender != requester) revert NotRequester();
        _requireLabellingOpen(head);
        _state |= STOPPED_BIT;
        emit Stopped(requester);
    }

    /// @notice Settle the job in one transaction: the (last chunk of) truth, the payout Merkle root,
    ///         its total and the report's content id; only the oracle, once labelling is closed (the
    ///         deadline passed or the requester stopped), while no root is pending and the escrow was
    ///         not refunded. Claims open after the job's dispute window.
    /// @param truthStart first item of truthWords (a multiple of 64); ignored when truthWords is empty
    /// @param truthWords packed truth as in postTruth; may be empty when postTruth posted it all
    /// @param root OZ Merkle root of leaves keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))))
    /// @param totalPayout sum of the leaves' amounts, at most the escrowed budget
    /// @param reportCid content id of the settlement report anyone can recompute
    function settle(
        uint256 truthStart,
        uint256[] calldata truthWords,
        bytes32 root,
        uint256 totalPayout,
        string calldata reportCid
    ) external {
        uint256 head = _onlyOracle();
        uint256 state = _state;
        _requireSettleable(head, state);
        if (totalPayout > _budget()) revert PayoutExceedsEscrow();
        if (truthWords.length != 0) _storeTruth(head, truthStart, truthWords);
        (, uint256 disputeWindow) = _guardianAndWindow();
        uint256 claimsOpenAt = block.timestamp + disputeWindow;
        payoutRoot = root;
        _state = state | ROOT_BIT | totalPayout | (claimsOpenAt << CLAIMS_OPEN_SHIFT);
        emit PayoutRootPosted(root, totalPayout, reportCid);
        emit DisputeWindowStarted(root, claimsOpenAt, claimsOpenAt + CLAIM_PERIOD);
    }

    /// @notice Cancel the pending payout root within the dispute window, with a public reason; the
    ///         guardian any number of times, the requester once (so a requester cannot stall the job
    ///         until the full refund). The oracle may then settle again.
    /// @param reason why the root is wrong, for the record
    function cancelRoot(string calldata reason) external {
        uint256 state = _state;
        if (state & ROOT_BIT == 0) revert NotSettled();
        if (block.timestamp >= state >> CLAIMS_OPEN_SHIFT) revert DisputeWindowOver();
        (address guardian,) = _guardianAndWindow();
        if (msg.sender != guardian) {
            (address requester,) = _requesterAndBudget();
            if (msg.sender != requester) revert NotRequesterOrGuardian();
            if (state & REQUESTER_CANCELLED_BIT != 0) revert AlreadyCancelled();
            state |= REQUESTER_CANCELLED_BIT;
        }
        bytes32 root = payoutRoot;
        payoutRoot = bytes32(0);
        _state = state & ~(ROOT_BIT | AMOUNT_MASK | (uint256(type(uint40).max) << CLAIMS_OPEN_SHIFT));
        emit RootCancelled(root, msg.sender, reason);
    }

    /// @notice Claim the caller's payout leaf; once per account, between the end of the dispute
    ///         window and the claim deadline. A leaf pays at most the caller's on-chain labels ×
    ///         pricePerLabel (for AnonymousRewards: the job's anonymous labels × pricePerLabel).
    /// @param index the leaf's index in the payout report
    /// @param amount the leaf's amount
    /// @param proof OZ Merkle proof of the leaf (sorted-pair hashing)
    function claim(uint256 index, uint256 amount, bytes32[] calldata proof) external {
        uint256 state = _state;
        if (state & ROOT_BIT == 0) revert NotSettled();
        uint256 claimsOpenAt = state >> CLAIMS_OPEN_SHIFT;
        if (block.timestamp < claimsOpenAt) revert ClaimsNotOpen(claimsOpenAt);
        if (block.timestamp >= claimsOpenAt + CLAIM_PERIOD) revert ClaimsClosed();
        uint256 record = _workers[msg.sender];
        if (record & CLAIMED_BIT != 0) revert AlreadyClaimed();
        uint256 tokenWord = _argWord(64);
        uint256 labels = msg.sender == _anonymousRewards
            ? IAnonymousLabelCount(_anonymousLabels).anonymousLabelCount(address(this))
            : uint32(record >> LABELS_SHIFT);
        if (labels == 0) revert NothingEarned(msg.sender);
        uint256 earned = labels * uint96(tokenWord);
        if (amount > earned) revert PayoutAboveEarned(earned);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, msg.sender, amount))));
        if (!MerkleProof.verifyCalldata(proof, payoutRoot, leaf)) revert InvalidProof();
        uint256 paid = ((state >> PAID_SHIFT) & AMOUNT_MASK) + amount;
        // Only a tree that sums above its own total could trip this; it protects the requester's refund.
        if (paid > (state & AMOUNT_MASK)) revert PayoutExceedsEscrow();
        _workers[msg.sender] = record | CLAIMED_BIT;
        _state = (state & ~(AMOUNT_MASK << PAID_SHIFT)) | (paid << PAID_SHIFT);
        IERC20(address(uint160(tokenWord >> 96))).safeTransfer(msg.sender, amount);
        emit Claimed(index, msg.sender, amount);
    }

    /// @notice Return what is left of the escrow to the requester, once: after the dispute window of
    ///         the accepted root, the budget minus the total payout; with no root by deadline +
    ///         SETTLEMENT_GRACE, all of it (and the job can then no longer be settled). Never while a
    ///         root can still be cancelled.
    function refund() external {
        (address requester, uint256 budget) = _requesterAndBudget();
        if (msg.sender != requester) revert NotRequester();
        uint256 state = _state;
        if (state & REFUNDED_BIT != 0) revert AlreadyRefunded();
        uint256 amount;
        if (state & ROOT_BIT != 0) {
            uint256 claimsOpenAt = state >> CLAIMS_OPEN_SHIFT;
            if (block.timestamp < claimsOpenAt) revert ClaimsNotOpen(claimsOpenAt);
            amount = budget - (state & AMOUNT_MASK);
        } else if (block.timestamp > _deadline(_argWord(0)) + SETTLEMENT_GRACE) {
            amount = budget;
        } else {
            revert RefundTooEarly();
        }
        _state = state | REFUNDED_BIT;
        if (amount > 0) IERC20(_token()).safeTransfer(requester, amount);
        emit Refunded(requester, amount);
    }

    /// @notice After the claim deadline, send the requester everything the escrow still holds
    ///         (unclaimed payouts and, if not refunded yet, the rest of the budget); once.
    function sweep() external {
        (address requester, uint256 budget) = _requesterAndBudget();
        if (msg.sender != requester) revert NotRequester();
        uint256 state = _state;
        if (state & ROOT_BIT == 0) revert NotSettled();
        if (state & SWEPT_BIT != 0) revert AlreadyRefunded();
        uint256 claimDeadline = (state >> CLAIMS_OPEN_SHIFT) + CLAIM_PERIOD;
        if (block.timestamp < claimDeadline) revert SweepTooEarly(claimDeadline);
        uint256 amount = _held(state, budget);
        _state = state | SWEPT_BIT | REFUNDED_BIT;
        if (amount > 0) IERC20(_token()).safeTransfer(requester, amount);
        emit Swept(requester, amount);
    }

    /// @notice Send the requester tokens this contract holds beyond what it owes: any balance of
    ///         another ERC-20, or the job token's balance above the escrow still held for claims and
    ///         refund (tokens sent here by mistake); only the requester.
    /// @param tokenAddress the ERC-20 to recover
    function recoverTokens(address tokenAddress) external {
        (address requester, uint256 budget) = _requesterAndBudget();
        if (msg.sender != requester) revert NotRequester();
        uint256 balance = IERC20(tokenAddress).balanceOf(address(this));
        uint256 held = tokenAddress == _token() ? _held(_state, budget) : 0;
        if (balance <= held) revert NothingToRecover();
        IERC20(tokenAddress).safeTransfer(requester, balance - held);
        emit TokensRecovered(tokenAddress, requester, balance - held);
    }

    /// @dev Job tokens the escrow still owes someone: the budget less claims until a refund; after a
    ///      refund only the unclaimed payouts; nothing after a full refund or a sweep.
    function _held(uint256 state, uint256 budget) private pure returns (uint256) {
        if (state & SWEPT_BIT != 0) return 0;
        uint256 paid = (state >> PAID_SHIFT) & AMOUNT_MASK;
        if (state & REFUNDED_BIT == 0) return budget - paid;
        return state & ROOT_BIT != 0 ? (state & AMOUNT_MASK) - paid : 0;
    }

    /// @notice Total paid out by claims so far, the payout total, and whether a root is posted / the
    ///         escrow refunded.
    function escrowState() external view returns (uint256 paid, uint256 totalPayout, bool settled, bool refunded) {
        uint256 state = _state;
        return (
            (state >> PAID_SHIFT) & AMOUNT_MASK,
            state & AMOUNT_MASK,
            state & ROOT_BIT != 0,
            state & REFUNDED_BIT != 0
        );
    }

    /// @notice Where settlement stands: whether the requester stopped the job, when claims of the
    ///         posted root open and close (0, 0 with no root), whether the escrow was swept, and the
    ///         job's guardian and dispute window.
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
        )
    {
        uint256 state = _state;
        (guardian, disputeWindow) = _guardianAndWindow();
        claimsOpenAt = state & ROOT_BIT != 0 ? state >> CLAIMS_OPEN_SHIFT : 0;
        claimDeadline = claimsOpenAt == 0 ? 0 : claimsOpenAt + CLAIM_PERIOD;
        return (state & STOPPED_BIT != 0, claimsOpenAt, claimDeadline, state & SWEPT_BIT != 0, guardian, disputeWindow);
    }

    function _requireSettleable(uint256 head, uint256 state) private view {
        if (state & ROOT_BIT != 0) revert AlreadySettled();
        if (state & REFUNDED_BIT != 0) revert AlreadyRefunded();
        if (block.timestamp <= _deadline(head) && state & STOPPED_BIT == 0) revert NotDue();
    }

    // --- parameters ----------------------------------------------------------------------------

    /// @notice The job's parameters, fixed at creation.
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
        )
    {
        uint256 head = _argWord(0);
        oracle = address(uint160(head >> 96));
        (numItems, numClasses, redundancy) = _shape(head);
        deadline = _deadline(head);
        (requester, budget) = _requesterAndBudget();
        uint256 tokenWord = _argWord(64);
        token = address(uint160(tokenWord >> 96));
        pricePerLabel = uint96(tokenWord);
        manifest = bytes32(_argWord(96));
    }

    /// @dev One 32-byte word of the clone arguments, read from the clone's own (warm) code.
    function _argWord(uint256 offset) private view returns (uint256 word) {
        if (address(this) == _self) revert NotAClone();
        assembly ("memory-safe") {
            extcodecopy(address(), 0, add(PROXY_CODE_SIZE, offset), 32)
            word := mload(0)
        }
    }

    function _shape(uint256 head) private pure returns (uint256 numItems, uint256 numClasses, uint256 redundancy) {
        return (uint32(head >> 64), uint8(head >> 56), uint8(head >> 48));
    }

    function _deadline(uint256 head) private pure returns (uint256) {
        return uint48(head);
    }

    /// @dev Labelling ends at the deadline or the requester's stop; a root needs one of them, so
    ///      it also ends labelling.
    function _requireLabellingOpen(uint256 head) private view {
        if (block.timestamp > _deadline(head) || _state & STOPPED_BIT != 0) revert LabellingClosed();
    }

    function _onlyOracle() private view returns (uint256 head) {
        head = _argWord(0);
        if (msg.sender != address(uint160(head >> 96))) revert NotOracle();
    }

    function _requesterAndBudget() private view returns (address, uint256) {
        uint256 word = _argWord(32);
        return (address(uint160(word >> 96)), uint96(word));
    }

    function _budget() private view returns (uint256) {
        return uint96(_argWord(32));
    }

    function _token() private view returns (address) {
        return address(uint160(_argWord(64) >> 96));
    }

    function _guardianAndWindow() private view returns (address guardian, uint256 disputeWindow) {
        uint256 word = _argWord(128);
        return (address(uint160(word >> 96)), uint48(word >> 48));
    }
}
