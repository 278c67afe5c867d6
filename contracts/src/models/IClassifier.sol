// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @title IClassifier
/// @notice What a trainer needs from an on-chain classifier. Inputs are `int256[]`: for a dense model
/// each entry is one feature in fixed point (x * SCALE, SCALE = 1e6); for a sparse model each entry is
/// the index of a feature whose value is 1.
interface IClassifier {
    /// @notice The class the model assigns to `x` (free through eth_call).
    function predict(int256[] calldata x) external view returns (uint256);

    /// @notice The class the model would assign to `x` if the update that (`x`, `y`) caused when it
    /// was added had never happened; `predictedAtAdd` is what `predict(x)` returned just before that
    /// update. A trainer judges data with this, so a point never votes for itself.
    function predictWithout(int256[] calldata x, uint256 y, uint256 predictedAtAdd)
        external
        view
        returns (uint256);


    /// @notice Train on (`x`, `y`); only the model's trainer may call it.
    /// @return predicted What the model predicted for `x` just before this update.
    function update(int256[] calldata x, uint256 y) external returns (uint256 predicted);

    /// @notice The number of classes.
    function numClasses() external view returns (uint256);
}
