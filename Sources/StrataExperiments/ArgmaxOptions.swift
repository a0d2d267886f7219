import Foundation

/// Every option of a learning-argmax run (`strata argmax`); saved as `options.json` in the run folder.
///
/// The defaults are the original recipe: depth 3 of residual blocks Dense(10→60) → ReLU → Dense(60→10),
/// a regression output Dense(10→1), SGD with learning rate 1e-4 and momentum 0.9, the learning rate
/// multiplied by 0.98 after each episode.
public struct ArgmaxOptions: Codable, Equatable, Sendable, ValidatableOptions {
    /// What the network outputs.
    public enum Head: String, Codable, CaseIterable, Sendable {
        /// One number, the index as a real value, trained with MSE; the prediction is it rounded.
        case regression
        /// One logit per position, trained with softmax cross-entropy; the prediction is the largest.
        case classification
    }

    /// The number of residual blocks.
    public var depth = 3
    /// The hidden width of each block.
    public var width = 60
    /// The length of the score vectors (and the width of the residual stream).
    public var length = 10
    /// The output: `regression` (the original) or `classification`.
    public var head = Head.regression
    /// The optimizer: `sgd`, `momentum`, `nesterov`, `adam`, `adamw`, `rmsprop` or `adagrad`.
    public var optimizer = "momentum"
    /// The initial learning rate; nil: 1e-4 for `momentum` (the original recipe), else the optimizer's usual one.
    public var learningRate: Float?
    /// The factor applied to the learning rate after each episode.
    public var decay: Float = 0.98
    /// The number of episodes.
    public var episodes = 100
    /// Batches of fresh random vectors per episode.
    public var batchesPerEpisode = 200
    /// Vectors per training batch.
    public var batchSize = 500
    /// Test batches of fresh vectors.
    public var testBatches = 100
    /// Vectors per test batch.
    public var testBatchSize = 500
    /// The seed of the weights and of every vector.
    public var seed: UInt64 = 42
    /// Threads for every kernel (nil: `STRATA_THREADS` or the number of cores).
    public var threads: Int?
    /// Train on when a loss is NaN or infinite (`--allow-nonfinite`); nil or false: stop with the epoch and step.
    public var allowNonFinite: Bool?

    /// The default options (the original recipe).
    public init() {}

    /// The learning rate the run starts with.
    public var initialLearningRate: Float {
        learningRate ?? (optimizer == "momentum" ? 1e-4 : OptimizerFactory.defaultLearningRate(for: optimizer))
    }

    /// The largest count (depth, width, length, episodes, batches, batch sizes) a run may ask for.
    public static let maximumCount = 1_000_000
    /// The most residual blocks a run may ask for.
    public static let maximumDepth = 1000

    /// Checks every option: each number finite and in range, each name from its list; throws naming the
    /// option at fault and its allowed range.
    public func validate() throws {
        let limit = Self.maximumCount
        func count(_ value: Int, _ option: String, from lowest: Int = 1, to highest: Int = Self.maximumCount) throws {
            try OptionCheck.count(value, "--" + option, in: lowest...highest)
        }
        try count(depth, "depth", from: 0, to: Self.maximumDepth)
        try count(width, "width")
        try count(length, "length", from: 2)
        try count(episodes, "episodes")
        try count(batchesPerEpisode, "batches-per-episode")
        try count(batchSize, "batch-size")
        try count(testBatches, "test-batches")
        try count(testBatchSize, "test-batch-size")
        guard width * length <= limit * 100 else {
            throw ExperimentError("--width \(width) × --length \(length) is too large (at most \(limit * 100) weights per layer)")
        }
        guard decay > 0 && decay <= 1 else { throw ExperimentError("--decay must be in (0, 1], got \(decay)") }
        guard OptimizerFactory.names.contains(optimizer) else {
            throw ExperimentError("unknown --optimizer '\(optimizer)'; choose one of: \(OptimizerFactory.names.joined(separator: ", "))")
        }
        try OptimizerFactory.checkHyperparameters(learningRate: learningRate, weightDecay: nil)
        if let threads { try OptionCheck.count(threads, "--threads", in: 1...TrainingOptions.maximumThreads) }
    }

    /// The options as `name: value` strings, for `metrics.json` and the summary.
    public func describedValues() -> [String: String] {
        var values: [String: String] = [
            "depth": String(depth), "width": String(width), "length": String(length), "head": head.rawValue,
            "optimizer": optimizer, "learningRate": String(initialLearningRate), "decay": String(decay),
            "episodes": String(episodes), "batchesPerEpisode": String(batchesPerEpisode),
            "batchSize": String(batchSize), "testBatches": String(testBatches),
            "testBatchSize": String(testBatchSize), "seed": String(seed),
        ]
        values["threads"] = threads.map { String($0) } ?? "default"
        return values
    }
}
