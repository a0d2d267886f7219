import Foundation
import StrataData

/// Every option of a classifier training run; saved as `options.json` in the run folder so that
/// `--resume` and `strata evaluate` rebuild exactly the same run.
public struct TrainingOptions: Codable, Equatable, Sendable, ValidatableOptions {
    /// `mnist`, `fashion-mnist`, `default`, a folder of PNG images (one subfolder per class) or a CSV file.
    public var dataset = "default"
    /// Where to look for the built-in datasets first (`--data-dir`).
    public var dataDirectory: String?
    /// A name from `ModelCatalog.names`.
    public var model = "cnn"
    /// The shape options of the model (classes are set from the data).
    public var modelOptions = ModelOptions()
    /// The number of epochs.
    public var epochs = 5
    /// Examples per training batch.
    public var batchSize = 128
    /// The optimizer: `sgd`, `momentum`, `nesterov`, `adam`, `adamw`, `rmsprop` or `adagrad`.
    public var optimizer = "adam"
    /// The learning rate (nil: the optimizer's usual default).
    public var learningRate: Float?
    /// L2 weight decay added by the optimizer (decoupled for `adamw`); nil: the optimizer's usual one
    /// (`OptimizerFactory.defaultWeightDecay`: 0.01 for `adamw`, 0 for the others).
    public var weightDecay: Float?
    /// `constant`, `step`, `exponential`, `cosine`, `onecycle` or `plateau`.
    public var schedule = "constant"
    /// The factor, in (0, 1], of `exponential` (per epoch) and `step` (every `scheduleStep` epochs) schedules.
    public var decayFactor: Float = 0.98
    /// The epochs between `step` decays (at least 1).
    public var scheduleStep = 10
    /// `none`, `affine`, `align` (deskew) or `elastic`.
    public var augment = "none"
    /// The share of the training set held out for validation.
    public var validationSplit = 0.1
    /// Whether the validation split keeps each class's share.
    public var stratified = false
    /// Stop after this many epochs without a better validation loss (nil: never), restoring the best weights.
    public var earlyStoppingPatience: Int?
    /// The share of the target mass spread over all classes, in [0, 1).
    public var labelSmoothing: Float = 0
    /// The seed of the weights, the splits, the shuffles and the augmentation.
    public var seed: UInt64 = 42
    /// Threads for every kernel (nil: `STRATA_THREADS` or the number of cores).
    public var threads: Int?
    /// Train on when a loss is NaN or infinite (`--allow-nonfinite`); nil or false: stop with the epoch and step.
    public var allowNonFinite: Bool?
    /// Multiply the learning rate by the number of processes in data-parallel training (`--scale-learning-rate`).
    public var scaleLearningRate: Bool?
    /// Normalize batches with the statistics of every process's batch in data-parallel training (`--sync-batch-norm`).
    public var syncBatchNorm: Bool?

    /// The default options.
    public init() {}

    /// The most epochs a run may ask for.
    public static let maximumEpochs = 1_000_000
    /// The most threads a run may ask for.
    public static let maximumThreads = 1024

    /// Checks every option that does not depend on the data: each number finite and in range, each
    /// name from its list, `dataDirectory` an existing folder, and no model option the model does not
    /// have; throws naming the command-line option at fault and its allowed range.
    public func validate() throws {
        if syncBatchNorm == true, !ModelCatalog.modelsWithBatchNormalization.contains(model) {
            throw ExperimentError("--sync-batch-norm does not apply to model \(model): it has no batch normalization "
                + "(models with it: \(ModelCatalog.modelsWithBatchNormalization.joined(separator: ", ")))")
        }
        try OptionCheck.count(epochs, "--epochs", in: 1...Self.maximumEpochs)
        try OptionCheck.count(batchSize, "--batch-size", in: 1...Int.max)
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw ExperimentError("--validation-split must be in [0, 1), got \(validationSplit)")
        }
        guard labelSmoothing >= 0 && labelSmoothing < 1 else {
            throw ExperimentError("--label-smoothing must be in [0, 1), got \(labelSmoothing)")
        }
        if let threads { try OptionCheck.count(threads, "--threads", in: 1...Self.maximumThreads) }
        guard OptimizerFactory.names.contains(optimizer) else {
            throw ExperimentError("unknown optimizer '\(optimizer)'; choose one of: \(OptimizerFactory.names.joined(separator: ", "))")
        }
        try OptimizerFactory.checkHyperparameters(learningRate: learningRate, weightDecay: weightDecay)
        guard OptimizerFactory.schedules.contains(schedule) else {
            throw ExperimentError("unknown schedule '\(schedule)'; choose one of: \(OptimizerFactory.schedules.joined(separator: ", "))")
        }
        // One step per epoch at least: the data-dependent count is checked by `validate(trainingExamples:)`.
        try OptimizerFactory.checkSchedule(schedule, epochs: epochs, stepsPerEpoch: 1, decayFactor: decayFactor,
                                           stepEpochs: scheduleStep, checkingStepCount: false)
        guard AugmentationChoice(rawValue: augment) != nil else {
            throw ExperimentError("unknown augmentation '\(augment)'; choose one of: \(AugmentationChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let earlyStoppingPatience {
            try OptionCheck.count(earlyStoppingPatience, "--early-stopping", in: 0...Self.maximumEpochs)
        }
        guard ModelCatalog.names.contains(model) else {
            throw ExperimentError("unknown model '\(model)'; choose one of: \(ModelCatalog.names.joined(separator: ", "))")
        }
        do {
            try ModelCatalog.validate(model, options: modelOptions)
        } catch let error as ModelCatalogError {
            throw ExperimentError(error.description)
        }
        try OptionCheck.folder(dataDirectory, "--data-dir")
    }

    /// Checks the options that depend on the number of training examples (after the validation split):
    /// the batch size fits, and the schedule has the steps it needs.
    public func validate(trainingExamples: Int) throws {
        guard batchSize <= trainingExamples else {
            throw ExperimentError("--batch-size \(batchSize) is larger than the \(trainingExamples) training examples")
        }
        let stepsPerEpoch = (trainingExamples + batchSize - 1) / batchSize
        try OptimizerFactory.checkSchedule(schedule, epochs: epochs, stepsPerEpoch: stepsPerEpoch,
                                           decayFactor: decayFactor, stepEpochs: scheduleStep)
    }

    /// These options as read from an `options.json` an older strata wrote, which saved a dropout rate and
    /// a width for every model: values for options the model does not have are dropped, as that
    /// version ignored them.
    public func withoutInapplicableModelOptions() -> TrainingOptions {
        var options = self
        if !ModelCatalog.modelsWithDropout.contains(model) { options.modelOptions.dropout = nil }
        if !ModelCatalog.modelsWithDepth.contains(model) { options.modelOptions.resnetDepth = nil }
        if model != "wide-resnet" { options.modelOptions.width = nil }
        return options
    }

    /// The options as `name: value` strings, for `metrics.json` and the report.
    public func describedValues() -> [String: String] {
        var values: [String: String] = [
            "dataset": dataset, "model": model, "epochs": String(epochs), "batchSize": String(batchSize),
            "optimizer": optimizer, "schedule": schedule,
            "decayFactor": String(decayFactor), "scheduleStep": String(scheduleStep), "augment": augment,
            "validationSplit": String(validationSplit), "stratified": String(stratified),
            "labelSmoothing": String(labelSmoothing), "seed": String(seed),
        ]
        values["weightDecay"] = weightDecay.map { String($0) } ?? "default"
        values["dropout"] = modelOptions.dropout.map { String($0) } ?? "default"
        values["width"] = modelOptions.width.map { String($0) } ?? "default"
        values["learningRate"] = learningRate.map { String($0) } ?? "default"
        values["resnetDepth"] = modelOptions.resnetDepth.map { String($0) } ?? "default"
        values["earlyStoppingPatience"] = earlyStoppingPatience.map { String($0) } ?? "off"
        values["threads"] = threads.map { String($0) } ?? "default"
        values["dataDirectory"] = dataDirectory
        // Set only for imported models (`strata import`): the source framework's layer settings.
        values["batchNormEpsilon"] = modelOptions.batchNormEpsilon.map { String($0) }
        values["batchNormMomentum"] = modelOptions.batchNormMomentum.map { String($0) }
        values["samePadding"] = modelOptions.samePadding?.rawValue
        return values
    }
}

/// The on-the-fly augmentations `--augment` offers.
public enum AugmentationChoice: String, CaseIterable, Sendable {
    /// No augmentation.
    case none
    /// Random rotation (±10°), translation (±10%), scale (0.9–1.1) and shear (±10°), bilinear.
    case affine
    /// Deskewing by image moments ("align"), applied once to every image, training and test alike.
    case align
    /// Elastic distortion (Simard et al., α 34, σ 4) after a milder random affine.
    case elastic

    /// The random augmentations applied to training images on the fly (none for `align`, whose
    /// deskewing `prepared(_:)` does once, before training).
    public var trainingAugmentations: [any ImageAugmentation] {
        switch self {
        case .none, .align: return []
        case .affine:
            return [RandomAffine(rotationDegrees: 10, translation: 0.1, scale: 0.9...1.1, shearDegrees: 10)]
        case .elastic:
            return [RandomAffine(rotationDegrees: 8, translation: 0.08, scale: 0.92...1.08, shearDegrees: 8),
                    ElasticDistortion(alpha: 34, sigma: 4)]
        }
    }

    /// `dataset` as the model sees it: every image deskewed once (`align`), else unchanged. Training,
    /// validation and test images all go through it, so they are deskewed (and stored as bytes) alike.
    public func prepared(_ dataset: Dataset) -> Dataset {
        self == .align ? dataset.deskewed() : dataset
    }
}
