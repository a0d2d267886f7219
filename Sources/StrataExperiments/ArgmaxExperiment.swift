import Foundation
import StrataData
import StrataCore
import StrataNN
import StrataPlot
import StrataTrain

/// The final numbers of a learning-argmax run (`metrics.json`).
public struct ArgmaxMetrics: Codable, Equatable, Sendable {
    /// The mean loss over the test vectors (MSE of the index, or cross-entropy).
    public var testLoss = 0.0
    /// The share of test vectors whose predicted index is not the argmax.
    public var testError = 0.0
    /// The number of test vectors.
    public var testVectors = 0
    /// Vectors per test batch.
    public var testBatchSize = 0
    /// Seconds of forward passes per test vector, at `testBatchSize` (data generation excluded).
    public var secondsPerInstance = 0.0
    /// The last episode's training loss and error.
    public var trainingLoss = 0.0
    /// The last episode's training error rate.
    public var trainingError = 0.0
    /// Seconds spent training.
    public var trainingSeconds = 0.0
    /// Episodes trained.
    public var episodes = 0
    /// The learning rate of the last episode.
    public var finalLearningRate = 0.0
    /// The number of trainable parameters.
    public var parameters = 0
    /// The seed of the run.
    public var seed: UInt64 = 0
    /// The number of threads used.
    public var threads = 0
    /// Every option of the run, by name.
    public var options: [String: String] = [:]

    /// The results as lines of text, for the log and `summary.txt`.
    public func lines() -> [String] {
        [
            String(format: "test: loss %.5f, error %.3f%% on %d vectors (%d batches of %d), %.3f µs per instance",
                   testLoss, testError * 100, testVectors, testVectors / Swift.max(testBatchSize, 1), testBatchSize,
                   secondsPerInstance * 1e6),
            String(format: "training: %d episodes in %.1f s, final learning rate %.3e, %d parameters, %d threads",
                   episodes, trainingSeconds, finalLearningRate, parameters, threads),
        ]
    }
}

/// The result of `strata argmax`.
public struct ArgmaxRun: Sendable {
    /// The run folder (nil when not written).
    public let folder: RunFolder?
    /// The test numbers, timings and options.
    public let metrics: ArgmaxMetrics
    /// Every episode's `loss`, `error`, `lr` and `seconds`.
    public let history: History
}

/// Learning argmax (`strata argmax`): a residual MLP learns the index of the largest of `length`
/// uniform random values. Training runs in episodes of batches of fresh vectors, the learning rate
/// multiplied by `decay` after each episode; then a test on fresh vectors measures the loss, the error
/// rate and the time per instance.
///
/// ```swift
/// var options = ArgmaxOptions()   // the original recipe
/// let run = try ArgmaxExperiment.start(options, output: "runs/argmax") { print($0) }
/// print(run.metrics.testError)
/// ```
public enum ArgmaxExperiment {
    /// `depth` blocks `Dense(length→width) → ReLU → Dense(width→length)` with identity shortcuts, then
    /// `Dense(length→1)` (regression) or `Dense(length→length)` logits (classification).
    /// The original, depth 3 and width 60 with a regression head, has 3,821 parameters.
    public static func makeNetwork(_ options: ArgmaxOptions) throws -> Model {
        try Model(inputShape: [options.length], seed: options.seed) {
            for _ in 0..<options.depth {
                Residual {
                    Dense(options.width, activation: .relu)
                    Dense(options.length)
                }
            }
            Dense(options.head == .regression ? 1 : options.length)
        }
    }

    /// `count` vectors `(count, length)` of uniform values in [0, 1) and the index of each one's largest value.
    public static func vectors(count: Int, length: Int, generator: inout RandomGenerator) -> (inputs: Tensor, argmax: [Int]) {
        ArgmaxVectors.make(count: count, length: length, generator: &generator)
    }

    /// The predicted index of each output row: the rounded value (regression, clamped to the positions)
    /// or the largest logit (classification).
    public static func predictedIndices(_ outputs: Tensor, head: ArgmaxOptions.Head, length: Int) -> [Int] {
        switch head {
        case .regression:
            return ArgmaxVectors.roundedIndices(outputs, length: length)
        case .classification:
            return outputs.argmaxIndices()
        }
    }

    /// The loss of `outputs` against the argmax indices.
    public static func loss(_ outputs: Tensor, argmax: [Int], head: ArgmaxOptions.Head) -> Tensor {
        let targets = ArgmaxVectors.targets(argmax)
        switch head {
        case .regression: return MeanSquaredError()(predictions: outputs, targets: targets)
        case .classification: return SparseCategoricalCrossentropy(fromLogits: true)(predictions: outputs, targets: targets)
        }
    }

    /// Starts a run in a new run folder (`output`, or a dated one under `runs/`); `stopAfter` and
    /// `checkpointSeconds` as in `run`.
    public static func start(_ options: ArgmaxOptions, output: String? = nil, overwrite: Bool = false,
                             stopAfter: Int? = nil, checkpointSeconds: Double = 30,
                             log: (String) -> Void) throws -> ArgmaxRun {
        try options.validate()
        let folder = try RunFolder.create(output: output, name: "argmax-\(options.head.rawValue)", overwrite: overwrite)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(options), to: folder.options)
        log("run folder: \(folder.url.path)")
        return try run(options, folder: folder, stopAfter: stopAfter, checkpointSeconds: checkpointSeconds, log: log)
    }

    /// Continues the interrupted run in the folder at `path` from its last checkpoint, with its saved
    /// options; the result is the same, bit for bit, as the run's own would have been. `threads`
    /// replaces the saved thread count when given (then sums may round differently).
    public static func resume(_ path: String, threads: Int? = nil, checkpointSeconds: Double = 30,
                              log: (String) -> Void) throws -> ArgmaxRun {
        var (folder, options) = try RunFolder.resuming(path, unit: "episode", options: ArgmaxOptions.self)
        if let threads { options.threads = threads }
        let checkpoint = try Checkpoint.load(from: folder.checkpoint)
        log("resuming \(folder.url.path) after episode \(checkpoint.progress.epochsCompleted) of \(options.episodes)")
        return try run(options, folder: folder, resumeFrom: checkpoint, checkpointSeconds: checkpointSeconds, log: log)
    }

    /// Trains and tests, writing into `folder` when one is given: a checkpoint (weights, optimizer
    /// state, random state, history) after the first episode that ends `checkpointSeconds` or more
    /// after the last one saved, and after the last episode. With `resumeFrom`, training continues
    /// after the checkpoint's episode; `stopAfter` ends training after that many episodes without
    /// testing, as an interruption would.
    public static func run(_ options: ArgmaxOptions, folder: RunFolder?, resumeFrom checkpoint: Checkpoint? = nil,
                           stopAfter: Int? = nil, checkpointSeconds: Double = 30,
                           log: (String) -> Void) throws -> ArgmaxRun {
        try options.validate()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let model = try makeNetwork(options)
        let parameters = model.parameters
        let initialRate = options.initialLearningRate
        let optimizer = try OptimizerFactory.make(options.optimizer, learningRate: initialRate)
        log(model.summary())
        log("\(options.episodes) episodes of \(options.batchesPerEpisode) batches of \(options.batchSize) fresh vectors; "
            + "\(options.optimizer), learning rate \(initialRate) ×\(options.decay) per episode, \(options.head.rawValue) head")
        // The task keeps `log` only while the loop runs, so neither outlives this call.
        let (history, epochsDone, trainingSeconds) = try withoutActuallyEscaping(log) { log in
            let task = ArgmaxTask(model: model, options: options, optimizer: optimizer, log: log)
            let loop = TrainingLoop(model: model, optimizer: optimizer, task: task, epochs: options.episodes,
                                    stepsPerEpoch: options.batchesPerEpisode,
                                    sampleCount: options.batchesPerEpisode * options.batchSize)
            loop.checkpointing = folder.map {
                CheckpointSchedule(url: $0.checkpoint, minimumInterval: checkpointSeconds, options: options.describedValues())
            }
            loop.allowsNonFiniteLoss = options.allowNonFinite ?? false
            if let checkpoint { try loop.resume(from: checkpoint) }
            RunTracking.attach(to: loop, folder: folder)   // records into the tracking store when it is on
            let history = try loop.run(stopAfter: stopAfter)
            return (history, loop.epochsCompleted, loop.trainingSeconds)
        }
        if epochsDone < options.episodes {
            log("stopped after episode \(epochsDone) of \(options.episodes); continue with --resume")
            return ArgmaxRun(folder: folder, metrics: ArgmaxMetrics(), history: history)
        }
        var metrics = ArgmaxMetrics()
        metrics.trainingSeconds = trainingSeconds
        metrics.trainingLoss = history.last("loss") ?? .nan
        metrics.trainingError = history.last("error") ?? .nan
        metrics.finalLearningRate = history.last("lr") ?? Double(initialRate)
        try test(model, options: options, into: &metrics)
        metrics.episodes = options.episodes
        metrics.parameters = parameters.scalarCount
        metrics.seed = options.seed
        metrics.threads = ThreadPolicy.threadCount
        metrics.options = options.describedValues()
        metrics.lines().forEach(log)
        if let folder {
            try writeFolder(folder, model: model, metrics: metrics, history: history)
            RunTracking.finish(folder: folder)
            log("wrote \(folder.url.path)")
        }
        return ArgmaxRun(folder: folder, metrics: metrics, history: history)
    }

    /// The test: `testBatches` batches of fresh vectors (from their own seeded stream), in inference mode;
    /// only the forward passes are timed.
    static func test(_ model: Model, options: ArgmaxOptions, into metrics: inout ArgmaxMetrics) throws {
        var generator = RandomGenerator(seed: options.seed &+ 2)
        var lossTotal = 0.0, errors = 0, forwardNanoseconds: UInt64 = 0
        for _ in 0..<options.testBatches {
            let (inputs, argmax) = vectors(count: options.testBatchSize, length: options.length, generator: &generator)
            let before = DispatchTime.now().uptimeNanoseconds
            let outputs = noGrad { model(inputs) }
            forwardNanoseconds += DispatchTime.now().uptimeNanoseconds - before
            lossTotal += Double(noGrad { loss(outputs, argmax: argmax, head: options.head) }.scalar)
            errors += ArgmaxVectors.mismatches(predictedIndices(outputs, head: options.head, length: options.length), argmax)
        }
        let vectors = options.testBatches * options.testBatchSize
        metrics.testLoss = lossTotal / Double(options.testBatches)
        metrics.testError = Double(errors) / Double(vectors)
        metrics.testVectors = vectors
        metrics.testBatchSize = options.testBatchSize
        metrics.secondsPerInstance = Double(forwardNanoseconds) / 1e9 / Double(vectors)
    }

    /// Writes the history, the loss and error curves, the metrics, the summary and the weights.
    static func writeFolder(_ folder: RunFolder, model: Model, metrics: ArgmaxMetrics, history: History) throws {
        func url(_ name: String) -> URL { folder.url.appendingPathComponent(name) }
        try AtomicFile.write(Data(history.csv().utf8), to: folder.history)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(history), to: url("history.json"))
        try AtomicFile.write(try RunReport.jsonEncoder.encode(metrics), to: url("metrics.json"))
        try AtomicFile.write(Data((model.summary() + "\n\n" + metrics.lines().joined(separator: "\n") + "\n").utf8),
                             to: url("summary.txt"))
        let episodes = history.epochs.map(Double.init)
        for (quantity, title, scale) in [("loss", "Training loss per episode", 1.0), ("error", "Training error rate per episode (%)", 100.0)] {
            let values = history[quantity].map { $0 * scale }
            var chart = LineChart(title: title, xLabel: "episode", yLabel: quantity == "error" ? "error (%)" : quantity,
                                  yScale: values.allSatisfy { $0 > 0 } ? .log : .linear)
            chart.add(series: "training", x: episodes, y: values)
            chart.legendPosition = .hidden
            _ = try chart.save(to: url("\(quantity).png"))
        }
        try Checkpoint.save(parameters: model.parameters, optimizer: nil,
                            progress: TrainingProgress(epochsCompleted: metrics.episodes, history: history,
                                                       options: metrics.options),
                            to: url("model.safetensors"))
    }
}
