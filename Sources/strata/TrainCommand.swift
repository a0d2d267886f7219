import ArgumentParser
import Foundation
import StrataExperiments

/// `strata train`: trains a classifier and writes its run folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier, checkpointing every epoch, and write its run folder with plots and a report.",
        discussion: """
        Models: \(ModelCatalog.names.joined(separator: ", ")).
        Results go to runs/<dataset>-<model>-<date>-<time> unless --out names a folder; an existing run \
        folder is never overwritten without --overwrite. --resume <run folder> continues an interrupted \
        run exactly, with the options it was started with.
        """)

    @Option(help: "mnist, fashion-mnist, default (MNIST if found, else Fashion-MNIST), a folder of PNGs (one subfolder per class) or a CSV file.")
    var dataset = "default"

    @Option(help: "The model: \(ModelCatalog.names.joined(separator: ", ")).")
    var model = "cnn"

    @Option(help: "The number of epochs.")
    var epochs = 5

    @Option(name: .customLong("batch-size"), help: "Examples per training batch.")
    var batchSize = 128

    @Option(name: .customLong("learning-rate"), help: "The learning rate (default: the optimizer's usual one).")
    var learningRate: Float?

    @Option(help: "sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad.")
    var optimizer = "adam"

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay.")
    var weightDecay: Float = 0

    @Option(help: "constant, step, exponential, cosine, onecycle or plateau.")
    var schedule = "constant"

    @Option(name: .customLong("decay"), help: "The factor of the step and exponential schedules (per epoch for exponential).")
    var decayFactor: Float = 0.98

    @Option(help: "none, affine, align (deskew) or elastic.")
    var augment = "none"

    @Option(name: .customLong("validation-split"), help: "The share of the training set held out for validation.")
    var validationSplit = 0.1

    @Flag(help: "Keep each class's share in the validation split.")
    var stratified = false

    @Option(name: .customLong("early-stopping"), help: "Stop after this many epochs without a better validation loss, keeping the best weights.")
    var earlyStopping: Int?

    @Option(help: "The dropout rate of models with dropout.")
    var dropout: Float = 0.2

    @Option(name: .customLong("resnet-depth"), help: "Depth of resnet (6n+2: 20, 32, 44, 56) or wide-resnet (6n+4: 10, 16, 22, 28).")
    var resnetDepth: Int?

    @Option(help: "The width multiplier of wide-resnet.")
    var width = 4

    @Option(name: .customLong("label-smoothing"), help: "The share of the target mass spread over all classes.")
    var labelSmoothing: Float = 0

    @Option(help: "The run folder (default: runs/<dataset>-<model>-<date>-<time>).")
    var out: String?

    @Flag(help: "Replace an existing run folder.")
    var overwrite = false

    @Option(help: "Continue the interrupted run in this folder (its saved options are used).")
    var resume: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() throws {
        if let resume {
            _ = try ClassifierTraining.resume(resume, log: say)
            return
        }
        var options = TrainingOptions()
        options.dataset = dataset
        options.dataDirectory = common.dataDirectory
        options.model = model
        options.modelOptions.dropout = dropout
        options.modelOptions.resnetDepth = resnetDepth
        options.modelOptions.width = width
        options.epochs = epochs
        options.batchSize = batchSize
        options.optimizer = optimizer
        options.learningRate = learningRate
        options.weightDecay = weightDecay
        options.schedule = schedule
        options.decayFactor = decayFactor
        options.augment = augment
        options.validationSplit = validationSplit
        options.stratified = stratified
        options.earlyStoppingPatience = earlyStopping
        options.labelSmoothing = labelSmoothing
        options.seed = common.seed
        options.threads = common.threads
        _ = try ClassifierTraining.start(options, output: out, overwrite: overwrite, log: say)
    }
}
