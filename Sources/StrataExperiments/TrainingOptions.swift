import Foundation
import StrataCore
import StrataData
import StrataTrain

/// Every option of a classifier training run; saved as `options.json` in the run folder so that
/// `--resume` and `strata evaluate` rebuild exactly the same run.
public struct TrainingOptions: Codable, Equatable, Sendable, ValidatableOptions {
    /// `mnist`, `fashion-mnist`, `default`, a folder of PNG images (one subfolder per class) or a CSV file.
    public var dataset = "default"
    /// Where to look for the built-in datasets first (`--data-dir`).
    public var dataDirectory: String?
    /// A name from `ModelCatalog.names`.
    public var model = "mlp"
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
    /// `none`, `affine`, `align` (deskew), `elastic`, `erasing` or `flip`, or several joined by `+`
    /// (`AugmentationChoice`).
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
    /// The decay, in (0, 1), of an exponential moving average of the weights updated after every step, which
    /// validation, the test and the saved model then use (`--ema`); nil: none.
    public var emaDecay: Float?
    /// The first epoch (1-based) whose final weights enter an equal average (stochastic weight averaging,
    /// `--swa-start`), used like `emaDecay`'s, with batch-norm statistics recomputed at the end; nil: none.
    public var swaStart: Int?
    /// The epochs of linear learning-rate warm-up before the schedule takes over (`--warmup-epochs`); nil: none.
    public var warmupEpochs: Int?
    /// The views whose probabilities the final test averages (`--tta`, `TestTimeAugmentation`); nil: 1, the image alone.
    public var testTimeAugmentation: Int?
    /// The precision of the training steps (`--precision`: f32, bf16, or auto for bf16 where the CPU runs it
    /// natively); nil: f32. Kept in `options.json`, so `--resume` trains on in the same precision.
    public var precision: PrecisionRequest?

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
        try validateWarmup()
        // One step per epoch at least: the data-dependent count is checked by `validate(trainingExamples:)`.
        try OptimizerFactory.checkSchedule(schedule, epochs: scheduledEpochs, stepsPerEpoch: 1, decayFactor: decayFactor,
                                           stepEpochs: scheduleStep, checkingStepCount: false)
        let augmentation = try AugmentationChoice.parse(augment)
        try validateWeightAveraging()
        if let testTimeAugmentation {
            _ = try TestTimeAugmentation(views: testTimeAugmentation, mirroring: augmentation.flips)
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
        _ = try resolvedPrecision()
    }

    /// The precision the training steps run in on this machine: `precision` resolved (`auto` becomes
    /// bf16 where it is native, else f32); throws for bf16 on a CPU without native bfloat16.
    public func resolvedPrecision() throws -> Precision {
        do {
            return try (precision ?? .float32).resolved()
        } catch let error as PrecisionError {
            throw ExperimentError(error.description)
        }
    }

    /// Checks the options that depend on the number of training examples (after the validation split):
    /// the batch size fits, and the schedule has the steps it needs.
    public func validate(trainingExamples: Int) throws {
        guard batchSize <= trainingExamples else {
            throw ExperimentError("--batch-size \(batchSize) is larger than the \(trainingExamples) training examples")
        }
        let stepsPerEpoch = (trainingExamples + batchSize - 1) / batchSize
        try OptimizerFactory.checkSchedule(schedule, epochs: scheduledEpochs, stepsPerEpoch: stepsPerEpoch,
                                           decayFactor: decayFactor, stepEpochs: scheduleStep)
    }

    /// The epochs the schedule runs after the warm-up.
    public var scheduledEpochs: Int { epochs - (warmupEpochs ?? 0) }

    /// Checks `--warmup-epochs`: fewer than `--epochs`, and not with the plateau schedule (whose rate
    /// follows the validation loss, not the step).
    func validateWarmup() throws {
        guard let warmupEpochs else { return }
        guard warmupEpochs >= 0 && warmupEpochs < epochs else {
            throw ExperimentError("--warmup-epochs must be in [0, --epochs) = [0, \(epochs)), got \(warmupEpochs)")
        }
        if warmupEpochs > 0 && schedule == "plateau" {
            throw ExperimentError("--warmup-epochs does not apply to --schedule plateau; use it with constant, step, "
                + "exponential, cosine or onecycle")
        }
    }

    /// Checks `--ema` and `--swa-start`: one of them at most, in range, and not with `--early-stopping`
    /// (which would keep trained weights chosen by the averaged weights' validation loss).
    func validateWeightAveraging() throws {
        if let emaDecay, !(emaDecay > 0 && emaDecay < 1) {
            throw ExperimentError("--ema must be a decay in (0, 1), such as 0.999, got \(emaDecay)")
        }
        if let swaStart { try OptionCheck.count(swaStart, "--swa-start", in: 1...epochs) }
        if emaDecay != nil && swaStart != nil {
            throw ExperimentError("--ema and --swa-start are two ways of averaging the weights; choose one")
        }
        if (emaDecay != nil || swaStart != nil) && earlyStoppingPatience != nil {
            throw ExperimentError("--early-stopping does not combine with \(emaDecay != nil ? "--ema" : "--swa-start"): "
                + "it would restore trained weights chosen by the averaged weights' validation loss")
        }
    }

    /// The weight average the options ask for, if any.
    public var weightAveraging: WeightAveraging.Method? {
        if let emaDecay { return .exponential(decay: emaDecay) }
        if let swaStart { return .stochastic(startEpoch: swaStart) }
        return nil
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
        // Set only when asked for, so that runs without them describe themselves as before.
        values["emaDecay"] = emaDecay.map { String($0) }
        values["swaStart"] = swaStart.map { String($0) }
        values["warmupEpochs"] = warmupEpochs.map { String($0) }
        values["testTimeAugmentation"] = testTimeAugmentation.map { String($0) }
        values["precision"] = precision?.rawValue
        return values
    }
}
