// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Classifier} from "./Classifier.sol";
import {CollaborativeTrainer} from "./CollaborativeTrainer.sol";

/// @title ModelFactory
/// @notice Creates on-chain models and their trainers as EIP-1167 clones of fixed implementations,
/// so a model costs a 45-byte proxy plus its parameters instead of a full contract deployment.
contract ModelFactory {
    enum Kind {
        Perceptron,
        NearestCentroid,
        NaiveBayes
    }

    address public immutable perceptron;
    address public immutable nearestCentroid;
    address public immutable naiveBayes;
    address public immutable trainer;

    /// @notice A model clone was created; `owner` loads its parameters and seals it.
    event ModelCreated(address indexed model, Kind indexed kind, address indexed owner);
    /// @notice A trainer clone was created for `model`; `creator` may take stuck deposits after t_c.
    event TrainerCreated(address indexed trainer, address indexed model, address indexed creator);

    constructor(address perceptron_, address nearestCentroid_, address naiveBayes_, address trainer_) {
        perceptron = perceptron_;
        nearestCentroid = nearestCentroid_;
        naiveBayes = naiveBayes_;
        trainer = trainer_;
    }

    /// @notice Clone the implementation of `kind` and initialise it with the caller as owner.
    /// @param kind Which model family.
    /// @param classNames Class names in index order.
    /// @param params The model's ABI-encoded configuration (see its `_configure`).
    /// @return model The new model's address.
    function createModel(Kind kind, string[] calldata classNames, bytes calldata params)
        external
        returns (address model)
    {
        address implementation =
            kind == Kind.Perceptron ? perceptron : kind == Kind.NearestCentroid ? nearestCentroid : naiveBayes;
        model = Clones.clone(implementation);
        Classifier(model).initialize(msg.sender, classNames, params);
        emit ModelCreated(model, kind, msg.sender);
    }

    /// @notice Clone a Deposit-Refund-Take trainer for `model` with the caller as its creator; the
    /// model's owner then seals the model with this trainer.
    /// @param model The classifier it trains.
    /// @param params The trainer's ABI-encoded configuration (see CollaborativeTrainer.initialize).
    /// @return created The new trainer's address.
    function createTrainer(address model, bytes calldata params) external returns (address created) {
        created = Clones.clone(trainer);
        CollaborativeTrainer(created).initialize(msg.sender, model, params);
        emit TrainerCreated(created, model, msg.sender);
    }
}
