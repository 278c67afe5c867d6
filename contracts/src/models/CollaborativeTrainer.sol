// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IClassifier} from "./IClassifier.sol";

/// @title CollaborativeTrainer
/// @notice Anyone trains the model by adding (x, y) with an ETH deposit (the paper's Deposit,
/// Refund and Take, section III-C). The data lives in `DataAdded` events; storage keeps one word per
/// contribution: a 160-bit hash of its metadata and the 96-bit deposit still held.
/// Refund: after `refundWait`, the contributor gets the rest of its deposit back when the model,
/// with this contribution's own update taken out, still agrees. Take: a reporter with refunded data
/// takes deposit * good(reporter) / good(all) of a contribution the model disagrees with (once per
/// reporter and contribution); after `creatorWait` the creator, and after `anyoneWait` anyone but the
/// contributor, takes what is left, so no deposit stays stuck (refundWait <= creatorWait <= anyoneWait).
/// With a zero base deposit (points mode) nothing is deposited: a refund counts good data and a
/// report counts the contribution as bad (`badData`), on the same conditions.
contract CollaborativeTrainer {
    uint256 private constant REMAINING_MASK = (1 << 96) - 1;
    uint256 private constant ONE = 1e6;

    // Laid out so addData reads two storage words and writes one: (model, lastAddedAt, nextId) and
    // the pricing with refundWait; report alone also reads (creator, creatorWait, anyoneWait).
    IClassifier public model;
    /// @notice Timestamp of the last contribution.
    uint40 public lastAddedAt;
    /// @notice The next contribution id.
    uint56 public nextId;

    /// @notice Deposit at the slowest arrival rate, in wei; 0 is points mode: no deposits, refunds
    /// and reports only count good and bad data (karma).
    uint96 public baseDeposit;
    /// @notice Pricing: deposit = base * clamp(sqrt(referenceInterval / dt), 1, maxMultiplier) where
    /// dt is the seconds since the last contribution (at least 1); maxMultiplier 0 means unbounded.
    uint64 public referenceInterval;
    uint32 public maxMultiplier;
    uint64 public refundWait;

    address public creator;
    uint48 public creatorWait;
    uint48 public anyoneWait;

    /// @notice Contributions refunded (good data) per address, and in all.
    mapping(address => uint256) public goodData;
    uint256 public totalGoodData;
    /// @notice Points mode: contributions reported as bad per address.
    mapping(address => uint256) public badData;

    mapping(uint256 => uint256) private records;
    /// @dev reporter -> (id / 256) -> bit id % 256: a reporter's shares of 256 consecutive
    /// contributions share one storage word, so only its first take in a window opens a fresh one.
    mapping(address => mapping(uint256 => uint256)) private taken;

    /// @notice A contribution; `x` is the data itself, everything needed to refund or report it.
    event DataAdded(
        uint256 indexed id,
        address indexed contributor,
        uint256 label,
        uint256 deposit,
        uint256 predictedAtAdd,
        uint256 addedAt,
        int256[] x
    );
    event Refunded(uint256 indexed id, address indexed contributor, uint256 amount);
    event Taken(uint256 indexed id, address indexed reporter, uint256 amount, uint256 remaining);
    /// @notice Points mode: `reporter` showed contribution `id` of `contributor` to be bad.
    event ReportedBad(uint256 indexed id, address indexed reporter, address indexed contributor);

    error AlreadyInitialized();
    error BadWaitTimes();
    error BadPricing();
    error DepositTooLow(uint256 required);
    error DepositTooLarge();
    error NoDeposit();
    error RecordMismatch();
    error NotContributor();
    error TooEarly();
    error ModelDisagrees();
    error ModelAgrees();
    error CannotTakeOwn();
    error NoGoodData();
    error AlreadyTaken();
    error NothingToTake();
    error PointsOnly();
    error TransferFailed();

    /// @notice The metadata a refund or report must repeat, exactly as `DataAdded` logged it.
    struct Contribution {
        uint256 id;
        address contributor;
        uint256 label;
        uint256 deposit;
        uint256 predictedAtAdd;
        uint256 addedAt;
    }

    /// @notice Set up a fresh clone (the factory calls it once).
    /// @param creator_ Who may take what is left of a deposit after `creatorWait`.
    /// @param model_ The classifier; its owner must seal it with this trainer.
    /// @param params abi.encode(uint64 refundWait, uint48 creatorWait, uint48 anyoneWait,
    /// uint96 baseDeposit, uint64 referenceInterval, uint32 maxMultiplier).
    function initialize(address creator_, address model_, bytes calldata params) external {
        if (address(model) != address(0)) revert AlreadyInitialized();
        (uint64 t, uint48 tc, uint48 ta, uint96 base, uint64 interval, uint32 cap) =
            abi.decode(params, (uint64, uint48, uint48, uint96, uint64, uint32));
        if (t == 0 || t > tc || tc > ta) revert BadWaitTimes();
        if (base != 0 && interval == 0) revert BadPricing();
        model = IClassifier(model_);
        creator = creator_;
        (refundWait, creatorWait, anyoneWait) = (t, tc, ta);
        (baseDeposit, referenceInterval, maxMultiplier) = (base, interval, cap);
        lastAddedAt = uint40(block.timestamp);
    }

    /// @notice The deposit `addData` requires now, in wei.
    function requiredDeposit() public view returns (uint256) {
        uint256 dt = block.timestamp > lastAddedAt ? block.timestamp - lastAddedAt : 1;
        uint256 multiplier = Math.sqrt(uint256(referenceInterval) * ONE * ONE / dt);
        if (multiplier < ONE) multiplier = ONE;
        if (maxMultiplier != 0 && multiplier > uint256(maxMultiplier) * ONE) multiplier = uint256(maxMultiplier) * ONE;
        return uint256(baseDeposit) * multiplier / ONE;
    }

    /// @notice Add (x, y) with a deposit of at least `requiredDeposit()` (msg.value): the incentive
    /// check, then the model update (which reports what the model predicted before learning), then
    /// the data handler (the data into an event, its metadata hash into storage).
    /// @param x The input, in the model's encoding.
    /// @param y The label.
    /// @return id The contribution's id.
    function addData(int256[] calldata x, uint256 y) external payable returns (uint256 id) {
        uint256 required = requiredDeposit();
        if (msg.value < required) revert DepositTooLow(required);
        if (required == 0 && msg.value != 0) revert PointsOnly();
        if (msg.value > REMAINING_MASK) revert DepositTooLarge();
        uint256 predicted = model.update(x, y);
        id = nextId;
        (lastAddedAt, nextId) = (uint40(block.timestamp), uint56(id + 1));
        Contribution memory c = Contribution(id, msg.sender, y, msg.value, predicted, block.timestamp);
        records[id] = (uint256(_hash(c, x)) << 96) | msg.value;
        emit DataAdded(id, msg.sender, y, msg.value, predicted, block.timestamp, x);
    }

    /// @notice Get back what is left of your deposit once `refundWait` has passed, if the model
    /// (without your own update) still agrees with your label; counts as one good contribution.
    /// @param c The contribution's metadata as logged; the caller must be its contributor.
    /// @param x The contribution's data as logged.
    function refund(Contribution calldata c, int256[] calldata x) external {
        if (msg.sender != c.contributor) revert NotContributor();
        uint256 remaining = _remaining(c, x);
        if (block.timestamp < c.addedAt + refundWait) revert TooEarly();
        if (model.predictWithout(x, c.label, c.predictedAtAdd) != c.label) revert ModelDisagrees();
        delete records[c.id];
        goodData[msg.sender] += 1;
        totalGoodData += 1;
        emit Refunded(c.id, msg.sender, remaining);
        if (remaining != 0) _pay(remaining);
    }

    /// @notice Take (part of) another's deposit: a share proportional to your good contributions
    /// when the model (without the contribution's own update) disagrees with it, after `refundWait`;
    /// everything left after `creatorWait` if you are the creator, or after `anyoneWait`.
    /// @param c The contribution's metadata as logged.
    /// @param x The contribution's data as logged.
    function report(Contribution calldata c, int256[] calldata x) external {
        if (msg.sender == c.contributor) revert CannotTakeOwn();
        uint256 remaining = _remaining(c, x);
        if (baseDeposit == 0) {
            _judgeBad(c, x);
            delete records[c.id];
            badData[c.contributor] += 1;
            emit ReportedBad(c.id, msg.sender, c.contributor);
            return;
        }
        uint256 age = block.timestamp - c.addedAt;
        uint256 amount;
        if (age >= anyoneWait || (age >= creatorWait && msg.sender == creator)) {
            amount = remaining;
        } else {
            uint256 good = _judgeBad(c, x);
            uint256 bit = 1 << (c.id & 255);
            uint256 window = taken[msg.sender][c.id >> 8];
            if (window & bit != 0) revert AlreadyTaken();
            taken[msg.sender][c.id >> 8] = window | bit;
            amount = Math.min(remaining, c.deposit * good / totalGoodData);
            if (amount == 0) revert NothingToTake();
        }
        uint256 left = remaining - amount;
        if (left == 0) delete records[c.id];
        else records[c.id] = (records[c.id] & ~REMAINING_MASK) | left;
        emit Taken(c.id, msg.sender, amount, left);
        _pay(amount);
    }

    /// @dev A reporter's case against c: old enough, the reporter has good data, and the model
    /// (without c's own update) disagrees with c's label. Returns the reporter's good data.
    function _judgeBad(Contribution calldata c, int256[] calldata x) private view returns (uint256 good) {
        if (block.timestamp < c.addedAt + refundWait) revert TooEarly();
        good = goodData[msg.sender];
        if (good == 0) revert NoGoodData();
        if (model.predictWithout(x, c.label, c.predictedAtAdd) == c.label) revert ModelAgrees();
    }

    /// @notice What is still held of contribution `id`'s deposit (0 once refunded or fully taken).
    function remainingDeposit(uint256 id) external view returns (uint256) {
        return records[id] & REMAINING_MASK;
    }

    function _remaining(Contribution calldata c, int256[] calldata x) private view returns (uint256 remaining) {
        uint256 record = records[c.id];
        if (record == 0) revert NoDeposit();
        if (uint160(record >> 96) != _hash(c, x)) revert RecordMismatch();
        return record & REMAINING_MASK;
    }

    function _hash(Contribution memory c, int256[] calldata x) private pure returns (uint160) {
        return uint160(uint256(keccak256(abi.encode(c, keccak256(abi.encodePacked(x))))));
    }

    function _pay(uint256 amount) private {
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
