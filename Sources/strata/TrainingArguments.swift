import ArgumentParser
import StrataCore
import StrataExperiments

/// `--precision f32|bf16|auto` (also `float32`, `bfloat16`).
extension PrecisionRequest: ExpressibleByArgument {
    /// The request named `argument`, or nil.
    public init?(argument: String) { self.init(name: argument) }
    /// The names shown in the help and in errors.
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// One value, or a comma-separated list of values for `strata sweep` (`--batch-size 8,16,32,64`).
struct ValueList<Value: ExpressibleByArgument>: ExpressibleByArgument {
    /// The values, in the order given.
    let values: [Value]

    init(_ value: Value) { values = [value] }

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let parsed = parts.compactMap(Value.init(argument:))
        guard !parts.isEmpty, parsed.count == parts.count else { return nil }
        values = parsed
    }

    /// The value for run `index` of a sweep (a single value serves every run).
    func value(_ index: Int) -> Value { values.count == 1 ? values[0] : values[index] }

    /// The default as `--help` prints it: the values as they are written on the command line (`constant`,
    /// not the type's own description).
    var defaultValueDescription: String { values.map { "\($0)" }.joined(separator: ",") }
}

/// The options of a training run, shared by `strata train` and `strata sweep`; in a sweep exactly
/// one of them may list several values.
struct TrainingArguments: ParsableArguments {
    @Option(help: "mnist, fashion-mnist, default (MNIST if found, else Fashion-MNIST), a folder of PNGs (one subfolder per class) or a CSV file.")
    var dataset = ValueList("default")

    @Option(help: "The model: \(ModelCatalog.names.joined(separator: ", ")).")
    var model = ValueList("mlp")

    @Option(help: "The number of epochs.")
    var epochs = ValueList(5)

    @Option(name: .customLong("batch-size"), help: "Examples per training batch.")
    var batchSize = ValueList(128)

    @Option(name: .customLong("learning-rate"), help: "The learning rate (default: the optimizer's usual one).")
    var learningRate: ValueList<Float>?

    @Option(help: "sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad.")
    var optimizer = ValueList("adam")

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay, ≥ 0 (default: 0.01 for adamw, else 0).")
    var weightDecay: ValueList<Float>?

    @Option(help: "constant, step, exponential, cosine, onecycle or plateau.")
    var schedule = ValueList("constant")

    @Option(name: .customLong("decay"), help: "The factor, in (0, 1], of the step and exponential schedules (per epoch for exponential; default 0.98).")
    var decayFactor: ValueList<Float>?

    @Option(help: ArgumentHelp("none, affine, align (deskew), elastic, erasing or flip, or several joined by + (affine+erasing, flip+erasing, align+affine).",
                               discussion: "affine: random rotation ±10°, shift ±10%, scale 0.9–1.1, shear ±10°. elastic: a milder affine map, then an elastic distortion (α 34, σ 4). erasing: with chance ½ a random rectangle of 2–33% of the image (aspect 0.3–3.3) set to black (torchvision's RandomErasing). flip: a mirror image with chance ½ (clothes, not digits). They act in that order, after align's deskewing, whatever the order written."))
    var augment = ValueList("none")

    @Option(name: .customLong("validation-split"), help: "The share of the training set held out for validation.")
    var validationSplit = ValueList(0.1)

    @Flag(help: "Keep each class's share in the validation split.")
    var stratified = false

    @Flag(name: .customLong("sync-batch-norm"), help: "Under mpirun: batch normalization with the statistics of all processes' batches (default: each process's own).")
    var syncBatchNorm = false

    @Flag(name: .customLong("scale-learning-rate"), help: "Under mpirun: multiply the learning rate by the number of processes (the global batch is --batch-size × processes).")
    var scaleLearningRate = false

    @Flag(name: .customLong("allow-nonfinite"), help: "Train on when a loss is NaN or infinite (default: stop, naming the epoch and step, and keep the last checkpoint).")
    var allowNonFinite = false

    @Option(name: .customLong("early-stopping"), help: "Stop after this many epochs without a better validation loss, keeping the best weights.")
    var earlyStopping: Int?

    @Option(help: "The dropout rate, in [0, 1), of models with dropout (\(ModelCatalog.modelsWithDropout.joined(separator: ", ")); default 0.5 for vgg, else 0.2).")
    var dropout: ValueList<Float>?

    @Option(name: .customLong("resnet-depth"), help: "Depth of resnet (6n+2: 20, 32, 44, 56) or wide-resnet (6n+4: 10, 16, 22, 28).")
    var resnetDepth: ValueList<Int>?

    @Option(help: "The width multiplier of wide-resnet (default 4).")
    var width: ValueList<Int>?

    @Option(name: .customLong("label-smoothing"), help: "The share of the target mass spread over all classes.")
    var labelSmoothing = ValueList<Float>(0)

    @Option(name: .customLong("warmup-epochs"), help: "Epochs of linear learning-rate warm-up, per step from 1% of the rate, before --schedule takes over for the remaining epochs (not with plateau).")
    var warmupEpochs: Int?

    @Option(name: .customLong("ema"), help: "Keep an exponential moving average of the weights with this decay (0.999, say), updated after every step (batch-norm statistics averaged too); validation, the test and the saved model use it.")
    var emaDecay: Float?

    @Option(name: .customLong("swa-start"), help: "Stochastic weight averaging: the equal mean of the weights at the end of every epoch from this one (1-based) on, batch-norm statistics recomputed over the training images at the end; validation (from that epoch), the test and the saved model use it.")
    var swaStart: Int?

    @Option(name: .customLong("tta"), help: "Test-time augmentation at the final test: average the probabilities over the image and n−1 fixed variants (one-pixel shifts right, left, down, up, then diagonals; with flip training, each followed by its mirror image). 1–9, or 1–18 with flip.")
    var testTimeAugmentation: Int?

    @Option(help: "f32, bf16 (convolutions and dense layers on bfloat16 with f32 accumulation, f32 weights, batch norm and losses; needs a CPU with native bfloat16, oneDNN ISA avx512_core_bf16) or auto (bf16 where native, else f32). Default f32.")
    var precision: PrecisionRequest?

    /// The option names and value counts, in declaration order.
    var lists: [(name: String, count: Int)] {
        [("dataset", dataset.values.count), ("model", model.values.count), ("epochs", epochs.values.count),
         ("batch-size", batchSize.values.count), ("learning-rate", learningRate?.values.count ?? 1),
         ("optimizer", optimizer.values.count), ("weight-decay", weightDecay?.values.count ?? 1),
         ("schedule", schedule.values.count), ("decay", decayFactor?.values.count ?? 1), ("augment", augment.values.count),
         ("validation-split", validationSplit.values.count), ("dropout", dropout?.values.count ?? 1),
         ("resnet-depth", resnetDepth?.values.count ?? 1), ("width", width?.values.count ?? 1),
         ("label-smoothing", labelSmoothing.values.count)]
    }

    /// The option given several values, if any; throws when more than one option has several.
    func sweptOption() throws -> (name: String, count: Int)? {
        let swept = lists.filter { $0.count > 1 }
        guard swept.count <= 1 else {
            throw ValidationError("only one option may list several values, got \(swept.map { "--\($0.name)" }.joined(separator: " and "))")
        }
        return swept.first
    }

    /// The training options of run `index` (0 for a plain training run), validated; throws naming an
    /// option out of range or one that does not apply (`--decay` without the step or exponential schedule).
    func options(_ index: Int, common: CommonOptions) throws -> TrainingOptions {
        var options = TrainingOptions()
        options.dataset = dataset.value(index)
        options.dataDirectory = common.dataDirectory
        options.model = model.value(index)
        options.modelOptions.dropout = dropout?.value(index)
        options.modelOptions.resnetDepth = resnetDepth?.value(index)
        options.modelOptions.width = width?.value(index)
        options.epochs = epochs.value(index)
        options.batchSize = batchSize.value(index)
        options.optimizer = optimizer.value(index)
        options.learningRate = learningRate?.value(index)
        options.weightDecay = weightDecay?.value(index)
        options.schedule = schedule.value(index)
        if let decayFactor { options.decayFactor = decayFactor.value(index) }
        options.augment = augment.value(index)
        options.validationSplit = validationSplit.value(index)
        options.stratified = stratified
        options.earlyStoppingPatience = earlyStopping
        options.labelSmoothing = labelSmoothing.value(index)
        options.seed = common.seed
        options.threads = common.threads
        options.allowNonFinite = allowNonFinite ? true : nil
        options.scaleLearningRate = scaleLearningRate ? true : nil
        options.syncBatchNorm = syncBatchNorm ? true : nil
        options.warmupEpochs = warmupEpochs
        options.emaDecay = emaDecay
        options.swaStart = swaStart
        options.testTimeAugmentation = testTimeAugmentation
        options.precision = precision
        if decayFactor != nil, options.schedule != "step", options.schedule != "exponential" {
            throw ValidationError("--decay does not apply to --schedule \(options.schedule); only to step and exponential")
        }
        try options.validate()
        return options
    }
}
