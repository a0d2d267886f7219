import ArgumentParser
import Foundation
import StrataExperiments

/// `strata argmax`: a residual MLP learns the index of the largest of random values.
struct ArgmaxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argmax",
        abstract: "Train a residual MLP to output the index of the largest of a vector of uniform random values.",
        discussion: """
        The defaults are the original recipe: depth 3 of residual blocks Dense(10→60) → ReLU → Dense(60→10), \
        then Dense(10→1) predicting the index as a real number (MSE; error = rounded prediction ≠ argmax), \
        3,821 parameters; SGD with learning rate 1e-4 and momentum 0.9, the learning rate ×0.98 after each \
        episode of batches of fresh vectors. --head classification puts a softmax over the positions instead. \
        Each episode prints loss, error rate, time and learning rate; the test then runs --test-batches \
        batches of fresh vectors and reports loss, error rate and time per instance. Results go to \
        runs/argmax-<head>-<date>-<time> unless --out names a folder. A checkpoint is saved after an \
        episode at most every 30 seconds and after the last one; --resume <run folder> continues an \
        interrupted run to the same result, bit for bit.
        """)

    @Option(help: "The number of residual blocks.")
    var depth = ArgmaxOptions().depth

    @Option(help: "The hidden width of each block.")
    var width = ArgmaxOptions().width

    @Option(help: "The length of the score vectors.")
    var length = ArgmaxOptions().length

    @Option(help: "regression (the index as one real output, MSE) or classification (softmax over the positions).")
    var head = ArgmaxOptions().head.rawValue

    @Option(help: "sgd, momentum (SGD with momentum 0.9), nesterov, adam, adamw, rmsprop or adagrad.")
    var optimizer = ArgmaxOptions().optimizer

    @Option(name: .customLong("learning-rate"), help: "The initial learning rate (default: 1e-4 for momentum, else the optimizer's usual one).")
    var learningRate: Float?

    @Option(help: "The factor applied to the learning rate after each episode.")
    var decay = ArgmaxOptions().decay

    @Option(help: "The number of episodes.")
    var episodes = ArgmaxOptions().episodes

    @Option(name: .customLong("batches-per-episode"), help: "Batches of fresh vectors per episode.")
    var batchesPerEpisode = ArgmaxOptions().batchesPerEpisode

    @Option(name: .customLong("batch-size"), help: "Vectors per training batch.")
    var batchSize = ArgmaxOptions().batchSize

    @Option(name: .customLong("test-batches"), help: "Test batches of fresh vectors.")
    var testBatches = ArgmaxOptions().testBatches

    @Option(name: .customLong("test-batch-size"), help: "Vectors per test batch (the time per instance is measured at this batch size).")
    var testBatchSize = ArgmaxOptions().testBatchSize

    @Option(help: "The run folder (default: runs/argmax-<head>-<date>-<time>).")
    var out: String?

    @Flag(name: .customLong("allow-nonfinite"), help: "Train on when a loss is NaN or infinite (default: stop, naming the epoch and step, and keep the last checkpoint).")
    var allowNonFinite = false

    @Option(name: .customLong("checkpoint-every"), help: "Seconds between checkpoints, saved at the end of the first epoch after that (and always after the last; Ctrl-C saves where the run is).")
    var checkpointEvery: Double = 30

    @Flag(help: "Replace an existing run folder.")
    var overwrite = false

    @Option(help: "Continue the interrupted run in this folder with its saved options (--threads may change them, at the cost of bit-for-bit equality).")
    var resume: String?

    @OptionGroup var common: CommonOptions
    @OptionGroup var tracking: TrackingArguments

    func validate() throws {
        if resume != nil { try ResumeArguments.check(allowed: ["--threads", "--checkpoint-every"]) }
        guard checkpointEvery.isFinite, checkpointEvery >= 0 else {
            throw ValidationError("--checkpoint-every must be a number of seconds, 0 or more, got \(checkpointEvery)")
        }
        if let directory = common.dataDirectory {
            throw ValidationError("--data-dir \(directory) does not apply to argmax, which makes its own random data")
        }
        if resume == nil { _ = try options() }
    }

    func run() throws {
        if let resume {
            _ = try ArgmaxExperiment.resume(resume, threads: common.threads, checkpointSeconds: checkpointEvery, log: say)
            return
        }
        _ = try ArgmaxExperiment.start(try options(), output: out, overwrite: overwrite, checkpointSeconds: checkpointEvery, log: say)
    }

    /// The options given, validated.
    func options() throws -> ArgmaxOptions {
        guard let chosenHead = ArgmaxOptions.Head(rawValue: head) else {
            throw ValidationError("--head must be one of \(ArgmaxOptions.Head.allCases.map(\.rawValue).joined(separator: ", ")), got '\(head)'")
        }
        var options = ArgmaxOptions()
        options.depth = depth
        options.width = width
        options.length = length
        options.head = chosenHead
        options.optimizer = optimizer
        options.learningRate = learningRate
        options.decay = decay
        options.episodes = episodes
        options.batchesPerEpisode = batchesPerEpisode
        options.batchSize = batchSize
        options.testBatches = testBatches
        options.testBatchSize = testBatchSize
        options.seed = common.seed
        options.threads = common.threads
        options.allowNonFinite = allowNonFinite ? true : nil
        try options.validate()
        return options
    }
}
