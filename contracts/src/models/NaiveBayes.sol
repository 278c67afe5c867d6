// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Classifier} from "./Classifier.sol";
import {IClassifier} from "./IClassifier.sol";

/// @title NaiveBayes
/// @notice Multinomial naive Bayes on sparse input (feature indexes, repeated for counts) with
/// additive smoothing alpha. Feature counts of class c are values c * numFeatures + f. The
/// posterior P(c) * prod P(f | c) is compared as a binary float (mantissa, exponent) so no
/// logarithm is needed on chain and nothing underflows however many features an input has.
contract NaiveBayes is Classifier {
    uint256 private constant MANTISSA_FLOOR = 1 << 128;

    /// @notice Smoothing alpha in fixed point (SCALE = 1.0).
    uint256 public smoothing;
    /// @notice Feature occurrences seen per class.
    mapping(uint256 => uint256) public tokenCount;
    /// @notice Training samples seen per class.
    mapping(uint256 => uint256) public sampleCount;

    /// @inheritdoc Classifier
    function kind() public pure override returns (string memory) {
        return "naive-bayes";
    }

    /// @dev params = abi.encode(uint24 numFeatures, uint256 smoothing).
    function _configure(bytes calldata params) internal override {
        (uint24 features, uint256 alpha) = abi.decode(params, (uint24, uint256));
        if (features == 0 || alpha == 0 || alpha > uint256(SCALE) * 1000) revert BadInput();
        numFeatures = features;
        smoothing = alpha;
        sparse = true;
    }

    /// @notice Set per-class totals (owner, before sealing): feature occurrences and samples.
    /// @param tokens One total per class, in index order.
    /// @param samples One sample count per class, in index order.
    function loadTotals(uint256[] calldata tokens, uint256[] calldata samples) external loading {
        if (tokens.length != samples.length) revert BadInput();
        for (uint256 c = 0; c < tokens.length; ++c) {
            tokenCount[c] = tokens[c];
            sampleCount[c] = samples[c];
        }
    }

    /// @notice The most probable class of `x` (sorted feature indexes).
    function predict(int256[] calldata x) external view returns (uint256) {
        _checkInput(x);
        return _best(x, type(uint256).max);
    }

    /// @inheritdoc IClassifier
    function predictWithout(int256[] calldata x, uint256 y, uint256) external view returns (uint256) {
        _checkInput(x);
        return _best(x, y);
    }

    function _best(int256[] calldata x, uint256 without) private view returns (uint256 best) {
        uint256 bestMantissa = 0;
        int256 bestExponent = type(int256).min;
        for (uint256 c = 0; c < classCount; ++c) {
            (uint256 m, int256 e) = _posterior(x, c, c == without);
            if (m == 0) continue;
            if (e > bestExponent || (e == bestExponent && m > bestMantissa)) {
                bestExponent = e;
                bestMantissa = m;
                best = c;
            }
        }
    }

    /// @dev P(c) * prod P(x_i | c) up to a factor common to all classes, as m * 2^(64 e).
    function _posterior(int256[] calldata x, uint256 c, bool removeOwn) private view returns (uint256 m, int256 e) {
        uint256 samples = sampleCount[c];
        uint256 tokens = tokenCount[c];
        if (removeOwn) {
            if (samples <= 1) return (0, 0);
            samples -= 1;
            tokens -= x.length;
        }
        if (samples == 0) return (0, 0);
        uint256 alpha = smoothing;
        uint256 denominator = tokens * uint256(SCALE) + alpha * numFeatures;
        uint256 base = c * numFeatures;
        m = samples << 160;
        for (uint256 i = 0; i < x.length; ++i) {
            uint256 count = uint256(_value(base + uint256(x[i])));
            // Taking x out of class c leaves the count minus x's own occurrences of the index.
            if (removeOwn) count -= _runLength(x, i);
            m = m * (count * uint256(SCALE) + alpha) / denominator;
            if (m < MANTISSA_FLOOR) {
                m <<= 64;
                e -= 1;
            }
        }
    }

    function _runLength(int256[] calldata x, uint256 i) private pure returns (uint256 r) {
        uint256 start = i;
        while (start > 0 && x[start - 1] == x[i]) --start;
        uint256 end = i;
        while (end + 1 < x.length && x[end + 1] == x[i]) ++end;
        return end - start + 1;
    }

    function _update(int256[] calldata x, uint256 y) internal override returns (uint256 predicted) {
        predicted = _best(x, type(uint256).max);
        uint256 base = y * numFeatures;
        for (uint256 i = 0; i < x.length; ++i) {
            _addValue(base + uint256(x[i]), 1);
        }
        tokenCount[y] += x.length;
        sampleCount[y] += 1;
    }
}
