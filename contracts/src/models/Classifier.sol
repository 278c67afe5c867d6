// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IClassifier} from "./IClassifier.sol";

/// @title Classifier
/// @notice Shared base of the on-chain classifiers: clone initialisation, parameters packed eight
/// int32 values to a storage word (a fresh word costs 22,100 gas, so packing cuts a large model's
/// initialisation eightfold), chunked loading by the owner until `seal`, and the trainer rule.
/// @dev Fixed point: features and weights are integers scaled by SCALE = 1e6. An int32 then holds
/// +-2147.483647 with six decimals, enough for pixel/HOG features in [0, 1], linear weights and
/// log-probabilities, which is why the paper's 1e9 in int256 words is not needed.
abstract contract Classifier is IClassifier {
    int256 public constant SCALE = 1e6;

    address public owner;
    // One storage word holds everything `update` and `predict` read besides the parameters; the
    // models add their own settings to its last 4 bytes (Perceptron: its learning rate).
    address public trainer;
    uint24 public numFeatures;
    uint16 internal classCount;
    bool public isSealed;
    bool public sparse;
    bool internal flag; // model-specific (Perceptron: binary)
    int32 internal setting; // model-specific (Perceptron: learning rate)

    /// @dev value index -> packed word (value i lives in word i / 8 at bits 32 * (i % 8)).
    mapping(uint256 => uint256) internal words;

    event ModelInitialized(address indexed owner, string kind, uint256 numFeatures, bool sparse);
    event ClassAdded(uint256 indexed classIndex, string name);
    event WordsLoaded(uint256 firstWord, uint256 count);
    event ModelSealed(address indexed trainer);
    event ModelUpdated(address indexed trainer, uint256 label, uint256 predicted);

    error AlreadyInitialized();
    error NotOwner();
    error NotTrainer();
    error AlreadySealed();
    error NotSealed();
    error BadInput();
    error UnknownClass();
    error ValueOutOfRange();
    error TooFewClasses();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    modifier onlyTrainer() {
        if (!isSealed || msg.sender != trainer) revert NotTrainer();
        _;
    }

    modifier loading() {
        if (msg.sender != owner) revert NotOwner();
        if (isSealed) revert AlreadySealed();
        _;
    }

    /// @notice Set up a fresh clone: its owner (who loads parameters), class names and the
    /// model-specific `params`; callable once.
    /// @param owner_ Loads the parameters with `loadWords` and seals the model.
    /// @param classNames One name per class, in index order (at least two).
    /// @param params ABI-encoded model configuration (see each model's `_configure`).
    function initialize(address owner_, string[] calldata classNames, bytes calldata params) external {
        if (owner != address(0)) revert AlreadyInitialized();
        if (owner_ == address(0)) revert NotOwner();
        if (classNames.length < 2) revert TooFewClasses();
        owner = owner_;
        _configure(params);
        emit ModelInitialized(owner_, kind(), numFeatures, sparse);
        for (uint256 i = 0; i < classNames.length; ++i) {
            _addClass(classNames[i]);
        }
    }

    /// @notice Write packed parameter words `firstWord`.. in one chunk (owner, before sealing), so a
    /// model larger than one block's gas limit is loaded over several transactions.
    /// @param firstWord Index of the first word to write.
    /// @param values The words, eight int32 values each.
    function loadWords(uint256 firstWord, uint256[] calldata values) external loading {
        for (uint256 i = 0; i < values.length; ++i) {
            words[firstWord + i] = values[i];
        }
        emit WordsLoaded(firstWord, values.length);
    }

    /// @notice Finish loading and name the only address that may train the model from now on
    /// (address(0) freezes it).
    /// @param trainer_ The trainer contract (or zero for a read-only published model).
    function seal(address trainer_) external loading {
        isSealed = true;
        trainer = trainer_;
        emit ModelSealed(trainer_);
    }

    /// @notice Add a class (owner while loading, then only the trainer).
    /// @param name The class's name; its index is the current number of classes.
    function addClass(string calldata name) external {
        if (isSealed ? msg.sender != trainer : msg.sender != owner) revert NotTrainer();
        _addClass(name);
    }

    /// @notice The number of classes.
    function numClasses() external view returns (uint256) {
        return classCount;
    }

    /// @notice One stored int32 parameter, in fixed point.
    /// @param index The value's index in the model's layout.
    function valueAt(uint256 index) external view returns (int256) {
        return _value(index);
    }

    /// @notice The model family ("perceptron", "nearest-centroid", "naive-bayes").
    function kind() public pure virtual returns (string memory);

    /// @notice Train on (`x`, `y`); only the trainer, after sealing.
    /// @return predicted What the model predicted for `x` just before this update.
    function update(int256[] calldata x, uint256 y) external onlyTrainer returns (uint256 predicted) {
        if (y >= classCount) revert UnknownClass();
        _checkInput(x);
        predicted = _update(x, y);
        emit ModelUpdated(msg.sender, y, predicted);
    }

    function _configure(bytes calldata params) internal virtual;

    function _update(int256[] calldata x, uint256 y) internal virtual returns (uint256 predicted);

    function _beforeAddClass() internal virtual {}

    function _addClass(string calldata name) private {
        _beforeAddClass();
        emit ClassAdded(classCount, name);
        classCount += 1;
    }

    /// @dev Dense input has one value per feature; sparse input lists feature indexes below
    /// numFeatures in non-decreasing order (a repeated index counts the feature more than once).
    function _checkInput(int256[] calldata x) internal view {
        if (!sparse) {
            if (x.length != numFeatures) revert BadInput();
            return;
        }
        int256 previous = 0;
        for (uint256 i = 0; i < x.length; ++i) {
            if (x[i] < previous || x[i] >= int256(uint256(numFeatures))) revert BadInput();
            previous = x[i];
        }
    }

    function _value(uint256 index) internal view returns (int256) {
        return int256(int32(uint32(words[index >> 3] >> ((index & 7) << 5))));
    }

    function _setValue(uint256 index, int256 value) internal {
        if (value < type(int32).min || value > type(int32).max) revert ValueOutOfRange();
        uint256 shift = (index & 7) << 5;
        uint256 word = words[index >> 3];
        word = (word & ~(uint256(0xffffffff) << shift)) | (uint256(uint32(int32(value))) << shift);
        words[index >> 3] = word;
    }

    function _addValue(uint256 index, int256 delta) internal {
        _setValue(index, _value(index) + delta);
    }
}
