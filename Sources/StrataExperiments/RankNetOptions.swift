import Foundation
import StrataData
import StrataNN

/// Every option of a RankNet run (`strata rank`); saved as `options.json` in the run folder.
public struct RankNetOptions: Codable, Equatable, Sendable, ValidatableOptions {
    /// `mnist`, `fashion-mnist`, `default`, a folder of PNG images (one subfolder per class) or a CSV file.
    public var dataset = "default"
    /// Where to look for the built-in datasets first (`--data-dir`).
    public var dataDirectory: String?
    /// The number of epochs.
    public var epochs = 10
    /// Optimizer steps per epoch, each on `batchSize` fresh random training pairs.
    public var stepsPerEpoch = 400
    /// Pairs per training batch.
    public var batchSize = 64
    /// The classes from highest rank to lowest (`--order 0,1,…,9`); nil: ascending class indices, so
    /// class 0 ranks above class 1 above … .
    public var order: [Int]?
    /// The activation after each hidden layer: `relu`, `leaky-relu` (slope 0.1), `elu`, `gelu` or `tanh`.
    public var activation = "relu"
    /// The optimizer: `sgd`, `momentum`, `nesterov`, `adam`, `adamw`, `rmsprop` or `adagrad`.
    public var optimizer = "adam"
    /// The learning rate (nil: the optimizer's usual default).
    public var learningRate: Float?
    /// The factor applied to the learning rate after each epoch (1: constant).
    public var decay: Float = 1
    /// The share of the training images held out to draw validation pairs from.
    public var validationSplit = 0.1
    /// The number of validation pairs (drawn once, the same every epoch).
    public var validationPairs = 5_000
    /// The number of test pairs of different classes for the pairwise accuracy.
    public var testPairs = 10_000
    /// Whether training and validation pairs of the same class are left out; by default they are
    /// kept with target ½, as RankNet defines for ties.
    public var excludeTies = false
    /// On-the-fly augmentation of training images: `none`, `affine`, `align` (deskewing, applied to
    /// validation and test images too), `align+affine` (deskewing, then a milder random affine map on
    /// training images) or `elastic`.
    public var augment = "none"
    /// Whether pixels are standardized by the training images' mean and standard deviation (else scaled to [0, 1]).
    public var standardize = false
    /// The k of NDCG@k over the ranked test set.
    public var ndcgK = 10
    /// The seed of the weights, the split and every pair.
    public var seed: UInt64 = 42
    /// Threads for every kernel (nil: `STRATA_THREADS` or the number of cores).
    public var threads: Int?
    /// Train on when a loss is NaN or infinite (`--allow-nonfinite`); nil or false: stop with the epoch and step.
    public var allowNonFinite: Bool?

    /// The default options.
    public init() {}

    /// The largest count (epochs, steps, pairs, batch size) a run may ask for.
    public static let maximumCount = 1_000_000

    /// Checks the options that do not depend on the data: each number finite and in range, each name
    /// from its list, `order` a permutation, `dataDirectory` an existing folder; throws naming the option
    /// at fault and its allowed range.
    public func validate() throws {
        func count(_ value: Int, _ option: String) throws {
            try OptionCheck.count(value, "--" + option, in: 1...Self.maximumCount)
        }
        try count(epochs, "epochs")
        try count(stepsPerEpoch, "steps-per-epoch")
        try count(batchSize, "batch-size")
        guard validationSplit > 0 && validationSplit < 1 else {
            throw ExperimentError("--validation-split must be in (0, 1), got \(validationSplit)")
        }
        try count(validationPairs, "validation-pairs")
        try count(testPairs, "test-pairs")
        try count(ndcgK, "ndcg-k")
        guard RankNetOptions.activations[activation] != nil else {
            throw ExperimentError("unknown --activation '\(activation)'; choose one of: \(RankNetOptions.activationNames.joined(separator: ", "))")
        }
        guard RankNetOptions.augmentations.contains(augment) else {
            throw ExperimentError("unknown --augment '\(augment)'; choose one of: \(RankNetOptions.augmentations.joined(separator: ", "))")
        }
        guard decay > 0 && decay <= 1 else { throw ExperimentError("--decay must be in (0, 1], got \(decay)") }
        guard OptimizerFactory.names.contains(optimizer) else {
            throw ExperimentError("unknown --optimizer '\(optimizer)'; choose one of: \(OptimizerFactory.names.joined(separator: ", "))")
        }
        try OptimizerFactory.checkHyperparameters(learningRate: learningRate, weightDecay: nil)
        if let threads { try OptionCheck.count(threads, "--threads", in: 1...TrainingOptions.maximumThreads) }
        if let order, order.count < 2 || Set(order) != Set(0..<order.count) {
            throw ExperimentError("--order \(order.map(String.init).joined(separator: ",")) must list each class index "
                + "0…K−1 once (K ≥ 2), highest rank first")
        }
        try OptionCheck.folder(dataDirectory, "--data-dir")
    }

    /// The order for a dataset of `classCount` classes: `order`, checked to be a permutation of
    /// `0..<classCount`, or the ascending classes. Throws naming `--order` otherwise.
    public func resolvedOrder(classCount: Int) throws -> [Int] {
        guard let order else { return Array(0..<classCount) }
        guard order.count == classCount, Set(order) == Set(0..<classCount) else {
            throw ExperimentError("--order \(order.map(String.init).joined(separator: ",")) is not a permutation of the "
                + "\(classCount) classes 0…\(classCount - 1): list each class index once, highest rank first")
        }
        return order
    }

    /// The activations `--activation` accepts, by name.
    public static let activations: [String: Activation] = [
        "relu": .relu, "leaky-relu": .leakyRelu(negativeSlope: 0.1), "elu": .elu(alpha: 1), "gelu": .gelu, "tanh": .tanh,
    ]
    /// The names of `activations`, in the order help texts list them.
    public static let activationNames = ["relu", "leaky-relu", "elu", "gelu", "tanh"]

    /// The names `--augment` accepts.
    public static let augmentations = ["none", "affine", "align", "elastic", "align+affine"]

    /// Whether every image (training, validation and test) is deskewed once, before training
    /// (`align` and `align+affine`).
    public var alignsImages: Bool { augment.hasPrefix("align") }

    /// The random augmentations applied to training images on the fly, after any deskewing.
    public var trainingAugmentations: [any ImageAugmentation] {
        switch augment {
        case "align": return []
        case "align+affine": return [RandomAffine(rotationDegrees: 6, translation: 0.06, scale: 0.94...1.06, shearDegrees: 6)]
        default: return AugmentationChoice(rawValue: augment)?.trainingAugmentations ?? []
        }
    }

    /// Parses `--order`: class indices separated by commas (`9,8,7,6,5,4,3,2,1,0`).
    public static func parseOrder(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count else {
            throw ExperimentError("--order '\(text)' is not a comma-separated list of class indices (like 9,8,7,6,5,4,3,2,1,0)")
        }
        return values
    }

    /// The options as `name: value` strings, for `metrics.json` and the summary.
    public func describedValues() -> [String: String] {
        var values: [String: String] = [
            "dataset": dataset, "epochs": String(epochs), "stepsPerEpoch": String(stepsPerEpoch),
            "batchSize": String(batchSize), "optimizer": optimizer, "activation": activation, "decay": String(decay), "validationSplit": String(validationSplit),
            "validationPairs": String(validationPairs), "testPairs": String(testPairs),
            "excludeTies": String(excludeTies), "standardize": String(standardize), "augment": augment, "ndcgK": String(ndcgK), "seed": String(seed),
        ]
        values["order"] = order.map { $0.map(String.init).joined(separator: ",") } ?? "ascending"
        values["learningRate"] = learningRate.map { String($0) } ?? "default"
        values["threads"] = threads.map { String($0) } ?? "default"
        values["dataDirectory"] = dataDirectory
        return values
    }
}
