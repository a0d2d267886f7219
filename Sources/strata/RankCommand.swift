import ArgumentParser
import Foundation
import StrataExperiments

/// `strata rank`: RankNet on image pairs; writes its run folder.
struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Train a RankNet scorer on image pairs (class 0 ranks above 1 above …) and measure how it ranks the test set.",
        discussion: """
        One small convnet (6,005 parameters on 28×28 images) scores both images of each pair with shared \
        weights; the loss is binary cross-entropy of sigmoid(score a − score b) against the probability that \
        a ranks above b (½ for two images of the same class). Each epoch reports loss and mse (of the \
        predicted probability) on training and validation pairs. At the end: pairwise accuracy on test pairs \
        of different classes, Kendall's tau-b and Spearman's rho between the test scores and the class \
        relevance (K − 1 for the first class of --order down to 0 for the last), NDCG@k with gain 2^rel − 1, \
        and scores.png, the test scores per class. Results go to runs/<dataset>-ranknet-<date>-<time> unless \
        --out names a folder. A checkpoint is saved after an epoch at most every 30 seconds and after the \
        last one; --resume <run folder> continues an interrupted run to the same result.
        """)

    @Option(help: "mnist, fashion-mnist, default (MNIST if found, else Fashion-MNIST), a folder of PNGs (one subfolder per class) or a CSV file.")
    var dataset = "default"

    @Option(help: "The number of epochs.")
    var epochs = RankNetOptions().epochs

    @Option(name: .customLong("steps-per-epoch"), help: "Optimizer steps per epoch, each on fresh random training pairs.")
    var stepsPerEpoch = RankNetOptions().stepsPerEpoch

    @Option(name: .customLong("batch-size"), help: "Pairs per training batch.")
    var batchSize = RankNetOptions().batchSize

    @Option(help: "The classes from highest rank to lowest, as comma-separated indices (default 0,1,…,K−1; e.g. 9,8,7,6,5,4,3,2,1,0).")
    var order: String?

    @Option(help: "The activation after each hidden layer: \(RankNetOptions.activationNames.joined(separator: ", ")).")
    var activation = RankNetOptions().activation

    @Option(help: "sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad.")
    var optimizer = RankNetOptions().optimizer

    @Option(name: .customLong("learning-rate"), help: "The learning rate (default: the optimizer's usual one).")
    var learningRate: Float?

    @Option(help: "The factor applied to the learning rate after each epoch (1: constant).")
    var decay = RankNetOptions().decay

    @Option(name: .customLong("validation-split"), help: "The share of the training images held out for validation pairs.")
    var validationSplit = RankNetOptions().validationSplit

    @Option(name: .customLong("validation-pairs"), help: "Validation pairs, drawn once.")
    var validationPairs = RankNetOptions().validationPairs

    @Option(name: .customLong("test-pairs"), help: "Test pairs of different classes for the pairwise accuracy.")
    var testPairs = RankNetOptions().testPairs

    @Flag(name: .customLong("exclude-ties"), help: "Train and validate on pairs of different classes only (default: same-class pairs too, target ½).")
    var excludeTies = false

    @Option(help: "Augmentation of training images: none, affine, align (deskewing, also applied to validation and test images), align+affine (deskewing, then a milder random affine map) or elastic.")
    var augment = RankNetOptions().augment

    @Flag(help: "Standardize pixels by the training images' mean and standard deviation (default: scale to [0, 1]).")
    var standardize = false

    @Option(name: .customLong("ndcg-k"), help: "The k of NDCG@k over the ranked test set.")
    var ndcgK = RankNetOptions().ndcgK

    @Option(help: "The run folder (default: runs/<dataset>-ranknet-<date>-<time>).")
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
        if resume == nil { _ = try options() }
    }

    func run() throws {
        if let resume {
            _ = try RankNetExperiment.resume(resume, threads: common.threads, checkpointSeconds: checkpointEvery, log: say)
            return
        }
        _ = try RankNetExperiment.start(try options(), output: out, overwrite: overwrite, checkpointSeconds: checkpointEvery, log: say)
    }

    /// The options given, validated.
    func options() throws -> RankNetOptions {
        var options = RankNetOptions()
        options.dataset = dataset
        options.dataDirectory = common.dataDirectory
        options.epochs = epochs
        options.stepsPerEpoch = stepsPerEpoch
        options.batchSize = batchSize
        options.order = try order.map(RankNetOptions.parseOrder)
        options.activation = activation
        options.optimizer = optimizer
        options.learningRate = learningRate
        options.decay = decay
        options.validationSplit = validationSplit
        options.validationPairs = validationPairs
        options.testPairs = testPairs
        options.excludeTies = excludeTies
        options.standardize = standardize
        options.augment = augment
        options.ndcgK = ndcgK
        options.seed = common.seed
        options.threads = common.threads
        options.allowNonFinite = allowNonFinite ? true : nil
        try options.validate()
        return options
    }
}
