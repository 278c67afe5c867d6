// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Classifier} from "./Classifier.sol";
import {IClassifier} from "./IClassifier.sol";

/// @title Perceptron
/// @notice A linear classifier on dense or sparse input. Binary mode keeps one weight vector
/// (class 1 when the score is positive, as scikit-learn's linear models decide); multiclass mode
/// keeps one vector per class and predicts the arg-max score (lowest index on ties, as numpy's
/// argmax). Vector v's weights are values v * (numFeatures + 1) + f, its bias the last one.
/// Training is the perceptron rule: on a mistake, move the vectors by learningRate * x.
contract Perceptron is Classifier {
    error BinaryModel();

    /// @notice Whether the model keeps one weight vector for two classes.
    function binary() public view returns (bool) {
        return flag;
    }

    /// @notice The step of a perceptron update, in fixed point.
    function learningRate() public view returns (int32) {
        return setting;
    }

    /// @inheritdoc Classifier
    function kind() public pure override returns (string memory) {
        return "perceptron";
    }

    /// @dev params = abi.encode(uint24 numFeatures, bool sparse, bool binary, int32 learningRate).
    function _configure(bytes calldata params) internal override {
        (uint24 features, bool sparseInput, bool binaryMode, int32 rate) = abi.decode(params, (uint24, bool, bool, int32));
        if (features == 0 || rate <= 0) revert BadInput();
        numFeatures = features;
        sparse = sparseInput;
        flag = binaryMode;
        setting = rate;
    }

    function _beforeAddClass() internal view override {
        if (flag && classCount >= 2) revert BinaryModel();
    }

    /// @notice The predicted class of `x` (dense: fixed-point features; sparse: feature indexes).
    function predict(int256[] calldata x) external view returns (uint256) {
        _checkInput(x);
        return _decide(x, 0, 0, 0);
    }

    /// @inheritdoc IClassifier
    function predictWithout(int256[] calldata x, uint256 y, uint256 predictedAtAdd) external view returns (uint256) {
        _checkInput(x);
        if (predictedAtAdd == y) return _decide(x, 0, 0, 0); // it was right, so it changed nothing
        return _decide(x, y, predictedAtAdd, _ownEffect(x));
    }

    /// @notice The score of vector `vector` for `x` (dense: scale SCALE^2; sparse: scale SCALE).
    function score(int256[] calldata x, uint256 vector) external view returns (int256) {
        _checkInput(x);
        return _score(x, vector);
    }

    function _vectors() private view returns (uint256) {
        return flag ? 1 : classCount;
    }

    /// @dev The decision with `effect` (what learning (x, y) added to y's score and took from
    /// `wrong`'s) undone; effect 0 is the plain prediction.
    function _decide(int256[] calldata x, uint256 y, uint256 wrong, int256 effect) private view returns (uint256) {
        if (flag) {
            int256 s = _score(x, 0);
            if (effect != 0) s = y == 1 ? s - effect : s + effect;
            return s > 0 ? 1 : 0;
        }
        uint256 best = 0;
        int256 bestScore = type(int256).min;
        uint256 vectors = _vectors();
        for (uint256 v = 0; v < vectors; ++v) {
            int256 s = _score(x, v);
            if (effect != 0) {
                if (v == y) s -= effect;
                else if (v == wrong) s += effect;
            }
            if (s > bestScore) {
                bestScore = s;
                best = v;
            }
        }
        return best;
    }

    function _score(int256[] calldata x, uint256 vector) private view returns (int256 s) {
        uint256 base = vector * (uint256(numFeatures) + 1);
        if (sparse) {
            for (uint256 i = 0; i < x.length; ++i) {
                s += _value(base + uint256(x[i]));
            }
            return s + _value(base + numFeatures);
        }
        uint256 word;
        for (uint256 f = 0; f < x.length; ++f) {
            uint256 index = base + f;
            if (f == 0 || index & 7 == 0) word = words[index >> 3];
            s += int256(int32(uint32(word >> ((index & 7) << 5)))) * x[f];
        }
        return s + _value(base + numFeatures) * SCALE;
    }

    /// @dev How much one learning step on x changes the score of the vector it moves.
    function _ownEffect(int256[] calldata x) private view returns (int256 effect) {
        int256 rate = setting;
        if (sparse) {
            // Sorted input: a run of r equal indexes adds r * rate to one weight that is read r times.
            uint256 run = 0;
            for (uint256 i = 0; i < x.length; ++i) {
                run = (i > 0 && x[i] == x[i - 1]) ? run + 1 : 1;
                effect += rate * int256(2 * run - 1);
            }
            return effect + rate;
        }
        for (uint256 f = 0; f < x.length; ++f) {
            effect += (rate * x[f] / SCALE) * x[f];
        }
        return effect + rate * SCALE;
    }

    function _update(int256[] calldata x, uint256 y) internal override returns (uint256 predicted) {
        predicted = _decide(x, 0, 0, 0);
        if (predicted == y) return predicted;
        if (flag) {
            _move(x, 0, y == 1 ? int256(1) : int256(-1));
        } else {
            _move(x, y, 1);
            _move(x, predicted, -1);
        }
    }

    function _move(int256[] calldata x, uint256 vector, int256 sign) private {
        uint256 base = vector * (uint256(numFeatures) + 1);
        int256 rate = sign * setting;
        if (sparse) {
            for (uint256 i = 0; i < x.length; ++i) {
                _addValue(base + uint256(x[i]), rate);
            }
        } else {
            for (uint256 f = 0; f < x.length; ++f) {
                if (x[f] != 0) _addValue(base + f, rate * x[f] / SCALE);
            }
        }
        _addValue(base + numFeatures, rate);
    }
}
