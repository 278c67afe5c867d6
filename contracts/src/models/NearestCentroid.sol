// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Classifier} from "./Classifier.sol";
import {IClassifier} from "./IClassifier.sol";

/// @title NearestCentroid
/// @notice Dense input; predicts the class whose centroid is nearest in squared Euclidean distance
/// (lowest index on ties). Centroid c's coordinates are values c * numFeatures + f; training moves
/// the label's centroid to the running mean of its samples.
contract NearestCentroid is Classifier {
    /// @notice Samples behind each class's centroid.
    mapping(uint256 => uint256) public sampleCount;

    /// @inheritdoc Classifier
    function kind() public pure override returns (string memory) {
        return "nearest-centroid";
    }

    /// @dev params = abi.encode(uint24 numFeatures).
    function _configure(bytes calldata params) internal override {
        uint24 features = abi.decode(params, (uint24));
        if (features == 0) revert BadInput();
        numFeatures = features;
    }

    /// @notice Set the sample counts of classes 0.. (owner, before sealing).
    /// @param counts One count per class, in index order.
    function loadCounts(uint256[] calldata counts) external loading {
        for (uint256 c = 0; c < counts.length; ++c) {
            sampleCount[c] = counts[c];
        }
    }

    /// @notice The class of the centroid nearest to `x` (fixed-point features).
    function predict(int256[] calldata x) external view returns (uint256) {
        _checkInput(x);
        return _nearest(x, type(uint256).max);
    }

    /// @inheritdoc IClassifier
    function predictWithout(int256[] calldata x, uint256 y, uint256) external view returns (uint256) {
        _checkInput(x);
        return _nearest(x, y);
    }

    /// @dev With `without` < numClasses, that class's centroid has x's own sample taken out.
    function _nearest(int256[] calldata x, uint256 without) private view returns (uint256 best) {
        uint256 bestDistance = type(uint256).max;
        for (uint256 c = 0; c < classCount; ++c) {
            uint256 n = sampleCount[c];
            if (n == 0 || (c == without && n == 1)) continue;
            uint256 distance = _distance(x, c, c == without ? n : 0);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = c;
            }
        }
    }

    function _distance(int256[] calldata x, uint256 c, uint256 removeFromN) private view returns (uint256 d) {
        uint256 base = c * numFeatures;
        uint256 word;
        for (uint256 f = 0; f < x.length; ++f) {
            uint256 index = base + f;
            if (f == 0 || index & 7 == 0) word = words[index >> 3];
            int256 centre = int256(int32(uint32(word >> ((index & 7) << 5))));
            if (removeFromN != 0) {
                centre = (centre * int256(removeFromN) - x[f]) / int256(removeFromN - 1);
            }
            int256 gap = x[f] - centre;
            d += uint256(gap * gap);
        }
    }

    function _update(int256[] calldata x, uint256 y) internal override returns (uint256 predicted) {
        predicted = _nearest(x, type(uint256).max);
        uint256 n = sampleCount[y];
        uint256 base = y * numFeatures;
        for (uint256 f = 0; f < x.length; ++f) {
            int256 centre = _value(base + f);
            _setValue(base + f, (centre * int256(n) + x[f]) / int256(n + 1));
        }
        sampleCount[y] = n + 1;
    }
}
