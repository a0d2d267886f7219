import Foundation
import StrataCore
import StrataData
import StrataNN
import StrataPlot
import StrataTrain

/// The result of `strata rank`: the run folder and what was measured.
public struct RankNetRun: Sendable {
    /// The folder holding the weights, the history, the plots and the metrics (nil when not written).
    public let folder: RunFolder?
    /// The final test numbers, timings and options.
    public let metrics: RankNetMetrics
    /// Every epoch's `loss`, `mse`, `accuracy` and the same on validation pairs (`val_…`).
    public let history: History
    /// The score of every test image, in the test set's order.
    public let testScores: [Float]
}

/// RankNet (Burges et al., 2005) on image pairs (`strata rank`): one convolutional scorer applied with
/// shared weights to both images of a pair, trained with binary cross-entropy of σ(s_a − s_b) against
/// the probability that image a ranks above image b, where classes rank in a given order (digit 0
/// above 1 above … above 9 by default).
///
/// ```swift
/// var options = RankNetOptions()
/// options.dataset = "mnist"
/// let run = try RankNetExperiment.start(options, output: "runs/rank") { print($0) }
/// print(run.metrics.pairwiseAccuracy, run.metrics.kendallTau)
/// ```
///
/// The run folder holds `options.json`, `history.csv`/`.json`, `scores.png` (test scores per class),
/// `scores.csv` (every test image's label and score), `loss.png`, `mse.png`, `accuracy.png`,
/// `metrics.json`, `summary.txt` and `model.safetensors`.
public enum RankNetExperiment {
    /// The scorer: Conv2D(8, 5×5, stride 2) → Conv2D(16, 5×5, stride 2) → Flatten → Dense(10) →
    /// Dense(1), with `activation` (ReLU by default) after each hidden layer; 6,005 parameters on
    /// 28×28×1 images.
    public static func makeScorer(imageShape: [Int], seed: UInt64, activation: Activation = .relu) throws -> Model {
        try Model(inputShape: imageShape, seed: seed) {
            Conv2D(8, kernelSize: 5, strides: 2, activation: activation)
            Conv2D(16, kernelSize: 5, strides: 2, activation: activation)
            Flatten()
            Dense(10, activation: activation)
            Dense(1)
        }
    }

    /// The RankNet loss of a batch of pairs through one scorer: `first` and `second` `(B, C, H, W)`,
    /// `targets` `(B)`. Both branches use the same parameters, so `backward()` leaves on each the sum
    /// of the gradients through the two branches. Also returns the score differences `(B)`, detached.
    public static func pairLoss(scorer: Model, first: Tensor, second: Tensor, targets: Tensor,
                                training: Bool = true) -> (loss: Tensor, differences: Tensor) {
        let scoresA = scorer(first, training: training)   // (B, 1)
        let scoresB = scorer(second, training: training)  // (B, 1)
        let differences = (scoresA - scoresB).reshaped(targets.shape)
        return (RankNetLoss()(predictions: differences, targets: targets), differences.detached())
    }

    /// Starts a run on the dataset of `options` in a new run folder (`output`, or a dated one under `runs/`),
    /// saving a checkpoint at most every `checkpointSeconds` (see `train`).
    public static func start(_ options: RankNetOptions, output: String? = nil, overwrite: Bool = false,
                             verbose: Bool = true, checkpointSeconds: Double = 30,
                             log: (String) -> Void) throws -> RankNetRun {
        try options.validate()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let data = try ExperimentData.load(options.dataset, dataDirectory: options.dataDirectory, seed: options.seed)
        _ = try options.resolvedOrder(classCount: data.training.classCount)
        var resolved = options
        if resolved.dataset == "default" { resolved.dataset = data.name }
        let folder = try RunFolder.create(output: output, name: "\(data.name)-ranknet", overwrite: overwrite)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(resolved), to: folder.options)
        log("run folder: \(folder.url.path)")
        return try train(resolved, data: data, folder: folder, checkpointSeconds: checkpointSeconds, verbose: verbose,
                         log: log)
    }

    /// Continues the interrupted run in the folder at `path` from its last checkpoint, with its saved
    /// options, to the result the run would have had, bit for bit. `threads` replaces the saved thread
    /// count when given (then sums may round differently).
    public static func resume(_ path: String, threads: Int? = nil, verbose: Bool = true, checkpointSeconds: Double = 30,
                              log: (String) -> Void) throws -> RankNetRun {
        var (folder, options) = try RunFolder.resuming(path, unit: "epoch", options: RankNetOptions.self)
        if let threads { options.threads = threads }
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let data = try ExperimentData.load(options.dataset, dataDirectory: options.dataDirectory, seed: options.seed)
        let checkpoint = try Checkpoint.load(from: folder.checkpoint)
        log("resuming \(folder.url.path) after epoch \(checkpoint.progress.epochsCompleted) of \(options.epochs)")
        return try train(options, data: data, folder: folder, resumeFrom: checkpoint, checkpointSeconds: checkpointSeconds,
                         verbose: verbose, log: log)
    }

    /// Trains and tests on `data`, writing into `folder` when one is given; `verbose` shows Keras's
    /// per-epoch progress line on standard output. With a folder, a checkpoint (weights, optimizer
    /// state, the pair stream's random state, history) is saved after the first epoch that ends
    /// `checkpointSeconds` or more after the last save, and after the last epoch. With `resumeFrom`,
    /// training continues after the checkpoint's epoch; `stopAfter` ends training after that many
    /// epochs without testing, as an interruption would.
    public static func train(_ options: RankNetOptions, data: ExperimentData, folder: RunFolder?,
                             resumeFrom checkpoint: Checkpoint? = nil, stopAfter: Int? = nil,
                             checkpointSeconds: Double = 30, verbose: Bool = true,
                             log: (String) -> Void) throws -> RankNetRun {
        try options.validate()
        let order = try options.resolvedOrder(classCount: data.training.classCount)
        let split = data.training.validationSplit(fraction: options.validationSplit, seed: options.seed)
        // Deskewing is deterministic, so it is done once here rather than on every draw.
        let (training, validation, test) = options.alignsImages
            ? (split.training.deskewed(), split.validation.deskewed(), data.test.deskewed())
            : (split.training, split.validation, data.test)
        guard Set(training.labels).count >= 2, Set(test.labels).count >= 2, validation.count >= 2 else {
            throw ExperimentError("\(data.name): ranking needs at least two classes in the training and test sets "
                + "and two validation images (--validation-split \(options.validationSplit))")
        }
        let normalization: Normalization = options.standardize ? .standardized(by: training) : .unitRange
        let scorer = try makeScorer(imageShape: training.imageShape, seed: options.seed,
                                    activation: RankNetOptions.activations[options.activation]!)
        let optimizer = try OptimizerFactory.make(options.optimizer, learningRate: options.learningRate)
        let sampler = try pairSampler(labels: training.labels, order: order, seed: options.seed &+ 1,
                                      excludeTies: options.excludeTies)
        var validationSampler = try pairSampler(labels: validation.labels, order: order, seed: options.seed &+ 2,
                                                excludeTies: options.excludeTies)
        let validationPairs = validationSampler.pairs(count: options.validationPairs)
        log(scorer.summary())
        log("training on pairs of \(training.count) images, validating on \(validationPairs.count) pairs of "
            + "\(validation.count) images; order \(order.map { data.training.classNames[$0] }.joined(separator: " > "))")

        let task = RankNetTask(scorer: scorer, options: options, training: training, validation: validation,
                               validationPairs: validationPairs, normalization: normalization, optimizer: optimizer,
                               sampler: sampler)
        let loop = TrainingLoop(model: scorer, optimizer: optimizer, task: task, epochs: options.epochs,
                                stepsPerEpoch: options.stepsPerEpoch,
                                sampleCount: options.stepsPerEpoch * options.batchSize)
        loop.callbacks = (verbose ? [ProgressBar()] : [])
            + (folder.map { folder in
                [checkpoint.map { CSVLogger(url: folder.history, continuing: $0.progress.history) } ?? CSVLogger(url: folder.history)]
            } ?? [])
        loop.checkpointing = folder.map {
            CheckpointSchedule(url: $0.checkpoint, minimumInterval: checkpointSeconds, options: options.describedValues())
        }
        loop.allowsNonFiniteLoss = options.allowNonFinite ?? false
        if let checkpoint { try loop.resume(from: checkpoint) }
        RunTracking.attach(to: loop, folder: folder)   // records into the tracking store when it is on
        let history = try loop.run(stopAfter: stopAfter)
        let parameters = scorer.parameters
        if loop.epochsCompleted < options.epochs {
            log("stopped after epoch \(loop.epochsCompleted) of \(options.epochs); continue with --resume")
            let metrics = RankNetMetrics(dataset: data.name, order: order, orderNames: order.map { data.training.classNames[$0] })
            return RankNetRun(folder: folder, metrics: metrics, history: history, testScores: [])
        }

        // Test: every test image scored once; pairs, correlations and NDCG all read these scores.
        let testScores = try scores(scorer, of: test, normalization: normalization)
        var metrics = try measure(scores: testScores, test: test, order: order, options: options)
        metrics.dataset = data.name
        metrics.validationLoss = history.last("val_loss")
        metrics.validationMSE = history.last("val_mse")
        metrics.trainingSeconds = loop.trainingSeconds
        metrics.epochs = options.epochs
        metrics.parameters = parameters.scalarCount
        metrics.seed = options.seed
        metrics.threads = ThreadPolicy.threadCount
        metrics.options = options.describedValues()
        metrics.lines().forEach(log)
        if let folder {
            try writeFolder(folder, scorer: scorer, metrics: metrics, history: history, testScores: testScores,
                            test: test, order: order)
            RunTracking.finish(folder: folder)
            log("wrote \(folder.url.path)")
        }
        return RankNetRun(folder: folder, metrics: metrics, history: history, testScores: testScores)
    }

    /// The test metrics of `scores` (one per image of `test`): pairwise accuracy, loss and MSE on sampled
    /// pairs of different classes, the all-pairs accuracy, τ_b, ρ, NDCG@k and each class's mean score.
    public static func measure(scores: [Float], test: Dataset, order: [Int], options: RankNetOptions) throws -> RankNetMetrics {
        var metrics = RankNetMetrics(dataset: test.name, order: order, orderNames: order.map { test.classNames[$0] })
        let relevance = self.relevance(of: test.labels, order: order)
        let values = scores.map(Double.init)
        var testSampler = try pairSampler(labels: test.labels, order: order, seed: options.seed &+ 3, excludeTies: true)
        var meter = PairMeter()
        meter.add(pairs: testSampler.pairs(count: options.testPairs), scores: scores)
        metrics.pairwiseAccuracy = meter.accuracy
        metrics.testLoss = meter.loss
        metrics.testMSE = meter.mse
        metrics.testPairs = options.testPairs
        metrics.allPairsAccuracy = RankingMetrics.pairwiseAccuracy(scores: values, relevance: relevance)
        metrics.kendallTau = RankingMetrics.kendallTau(values, relevance)
        metrics.spearmanRho = RankingMetrics.spearmanRho(values, relevance)
        // A perfect scorer without ties: the relevance, tie-broken within each class by position.
        let perfect = relevance.enumerated().map { $1 + 0.5 * Double($0) / Double(relevance.count) }
        metrics.kendallTauMax = RankingMetrics.kendallTau(perfect, relevance)
        metrics.spearmanRhoMax = RankingMetrics.spearmanRho(perfect, relevance)
        metrics.ndcg = RankingMetrics.ndcg(scores: values, relevance: relevance, k: options.ndcgK)
        metrics.ndcgK = options.ndcgK
        metrics.testImages = test.count
        metrics.meanScores = order.map { label in
            let own = zip(values, test.labels).filter { $0.1 == label }.map(\.0)
            return own.isEmpty ? .nan : own.reduce(0, +) / Double(own.count)
        }
        return metrics
    }

    /// Random pairs of the images with `labels`, targets by `order`: 1 when the first image's class comes
    /// first in the order, 0 when later, ½ for the same class (such pairs are never drawn with `excludeTies`).
    /// Training draws from seed + 1, validation from seed + 2 and the test pairs (ties excluded) from seed + 3.
    public static func pairSampler(labels: [Int], order: [Int], seed: UInt64, excludeTies: Bool) throws -> PairSampler {
        do {
            return try PairSampler(labels: labels, order: order, seed: seed, excludeEqualLabels: excludeTies)
        } catch {
            throw ExperimentError("cannot draw pairs: \(error)")
        }
    }

    /// The relevance of each label: `K − 1 − position in order`, so the first class of the order gets
    /// K − 1 and the last 0.
    public static func relevance(of labels: [Int], order: [Int]) -> [Double] {
        var position = [Int](repeating: 0, count: (order.max() ?? 0) + 1)
        for (index, label) in order.enumerated() { position[label] = index }
        return labels.map { Double(order.count - 1 - position[$0]) }
    }

    /// The score of every image of `dataset`, in order, in inference mode; throws when a score is not
    /// finite (training diverged).
    public static func scores(_ scorer: Model, of dataset: Dataset, normalization: Normalization = .unitRange,
                              augmentations: [any ImageAugmentation] = []) throws -> [Float] {
        let loader = DataLoader(dataset, batchSize: 500, shuffle: false, normalization: normalization,
                                augmentations: augmentations, threads: 1)
        var scores: [Float] = []
        scores.reserveCapacity(dataset.count)
        noGrad {
            for batch in loader.batches(forEpoch: 0) { scores += scorer(batch.images).scalars }
        }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw ExperimentError("the score of image \(bad) of \(dataset.name) is \(scores[bad]): training diverged; "
                + "try a lower --learning-rate")
        }
        return scores
    }

    /// Writes the metrics, history, plots, summary and weights into `folder`.
    static func writeFolder(_ folder: RunFolder, scorer: Model, metrics: RankNetMetrics, history: History,
                            testScores: [Float], test: Dataset, order: [Int]) throws {
        func url(_ name: String) -> URL { folder.url.appendingPathComponent(name) }
        try AtomicFile.write(Data(history.csv().utf8), to: folder.history)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(history), to: url("history.json"))
        try AtomicFile.write(try RunReport.jsonEncoder.encode(metrics), to: url("metrics.json"))
        let rows = zip(testScores, test.labels).enumerated().map { "\($0),\($1.1),\($1.0)" }
        try AtomicFile.write(Data((["index,label,score"] + rows).joined(separator: "\n").utf8 + [10]), to: url("scores.csv"))
        let summary = scorer.summary() + "\n\n" + metrics.lines().joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(summary.utf8), to: url("summary.txt"))
        var strip = StripChart(title: "RankNet test scores by class (highest rank left)", xLabel: "class", yLabel: "score",
                               width: 900, height: 500)
        strip.pointRadius = 1.5
        strip.opacity = 0.25
        strip.seed = metrics.seed
        for label in order {
            strip.add(category: test.classNames[label], values: zip(testScores, test.labels).filter { $0.1 == label }.map(\.0))
        }
        _ = try strip.save(to: url("scores.png"))
        let epochs = history.epochs.map(Double.init)
        for (quantity, title) in [("loss", "RankNet loss (binary cross-entropy)"), ("mse", "MSE of the predicted probability"),
                                  ("accuracy", "Pairwise accuracy (pairs of different classes)")] {
            var chart = LineChart(title: title, xLabel: "epoch", yLabel: quantity)
            chart.add(series: "training", x: epochs, y: history[quantity], marker: .circle)
            chart.add(series: "validation", x: epochs, y: history["val_" + quantity], style: .dashed, marker: .circle)
            _ = try chart.save(to: url("\(quantity).png"))
        }
        try Checkpoint.save(parameters: scorer.parameters, optimizer: nil,
                            progress: TrainingProgress(epochsCompleted: metrics.epochs, history: history,
                                                       options: metrics.options),
                            to: url("model.safetensors"))
    }
}

/// Running means of the RankNet loss, the MSE of the predicted probability and the pairwise accuracy
/// over pairs (accuracy over pairs of different classes only).
struct PairMeter {
    private var lossTotal = 0.0, squaredTotal = 0.0, count = 0
    private var correct = 0, ordered = 0

    /// Adds pairs with score differences `s_a − s_b` and targets.
    mutating func add(differences: [Float], targets: [Float]) {
        for (difference, target) in zip(differences, targets) {
            let x = Double(difference), t = Double(target)
            // The stable form of −t·log σ(x) − (1 − t)·log(1 − σ(x)), as Tensor.binaryCrossEntropy.
            lossTotal += Swift.max(x, 0) - x * t + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
            let p = 1 / (1 + Foundation.exp(-x))
            squaredTotal += (p - t) * (p - t)
            count += 1
            if t != 0.5 {
                ordered += 1
                if (x > 0) == (t > 0.5) && x != 0 { correct += 1 }
            }
        }
    }

    /// Adds `pairs` of images whose scores are `scores[index]`.
    mutating func add(pairs: [RankedPair], scores: [Float]) {
        add(differences: pairs.map { scores[$0.first] - scores[$0.second] }, targets: pairs.map(\.target))
    }

    /// The mean loss.
    var loss: Double { lossTotal / Double(Swift.max(count, 1)) }
    /// The mean squared error of σ(s_a − s_b).
    var mse: Double { squaredTotal / Double(Swift.max(count, 1)) }
    /// The share of pairs of different classes ordered right.
    var accuracy: Double { Double(correct) / Double(Swift.max(ordered, 1)) }

    /// The running sums, exactly, for a checkpoint inside an epoch.
    var savedState: [String: String] {
        ["loss_total": String(lossTotal), "squared_total": String(squaredTotal), "count": String(count),
         "correct": String(correct), "ordered": String(ordered)]
    }

    /// The sums saved by `savedState`.
    init(saved: [String: String]) throws {
        lossTotal = try saved.savedNumber("loss_total")
        squaredTotal = try saved.savedNumber("squared_total")
        count = Int(try saved.savedNumber("count"))
        correct = Int(try saved.savedNumber("correct"))
        ordered = Int(try saved.savedNumber("ordered"))
    }

    /// No pairs yet.
    init() {}

    /// `loss`, `mse` and `accuracy` (pairs of different classes) under `prefix`.
    func logs(prefix: String) -> Logs {
        var logs = Logs()
        logs[prefix + "loss"] = loss
        logs[prefix + "mse"] = mse
        logs[prefix + "accuracy"] = accuracy
        return logs
    }
}
