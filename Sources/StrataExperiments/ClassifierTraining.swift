import Foundation
import StrataCore
import StrataData
import StrataDistributed
import StrataNN
import StrataTrain

/// The result of `strata train`: the run folder and what was measured.
public struct TrainingRun: Sendable {
    /// The folder holding the checkpoint, the history, the charts and the report.
    public let folder: RunFolder
    /// Final test numbers, timings and options.
    public let metrics: RunMetrics
    /// Every epoch of the run (those before a resumption included).
    public let history: History
}

/// Trains a classifier from the catalog on a dataset and writes its run folder (`strata train`).
public enum ClassifierTraining {
    /// Starts a new run in a new folder (`output`, or a dated folder under `runs/`); `extraCallbacks`
    /// see every training event after the run's own callbacks.
    /// Under `mpirun`, every rank trains on its part of each batch (`--batch-size` images per rank) and
    /// only rank 0 writes the folder.
    public static func start(_ options: TrainingOptions, output: String? = nil, overwrite: Bool = false,
                             extraCallbacks: [any Callback] = [], log: (String) -> Void) throws -> TrainingRun {
        try options.validate()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let world = try Communicator.world()
        let data = try ExperimentData.load(options.dataset, dataDirectory: options.dataDirectory, seed: options.seed)
        let sets = try trainingSets(options, data: data, ranks: world.size)
        var resolved = options
        if resolved.dataset == "default" { resolved.dataset = data.name }
        let folder: RunFolder
        if world.isRoot {
            folder = try RunFolder.create(output: output, name: "\(data.name)-\(options.model)", overwrite: overwrite)
            try AtomicFile.write(try RunReport.jsonEncoder.encode(resolved), to: folder.options)
            log("run folder: \(folder.url.path)" + (world.size > 1 ? " (data-parallel over \(world.size) processes)" : ""))
        } else {
            folder = RunFolder.writtenElsewhere(output ?? "runs/(rank 0's folder)")
        }
        return try train(resolved, data: data, sets: sets, folder: folder, resumeFrom: nil, extraCallbacks: extraCallbacks,
                         log: log)
    }

    /// Continues an interrupted run from its last checkpoint, with its own options; the result is the
    /// same as if it had not been interrupted.
    public static func resume(_ path: String, log: (String) -> Void) throws -> TrainingRun {
        let folder = try RunFolder(existing: path)
        let options = try loadOptions(folder)
        do {
            try options.validate()
        } catch {
            throw ExperimentError("\(folder.options.path): \(error)")
        }
        folder.removeAbandonedTemporaries()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let data = try ExperimentData.load(options.dataset, dataDirectory: options.dataDirectory, seed: options.seed)
        let sets = try trainingSets(options, data: data, ranks: try Communicator.world().size)
        let checkpoint = try Checkpoint.load(from: folder.checkpoint)
        log("resuming \(folder.url.path) after epoch \(checkpoint.progress.epochsCompleted) of \(options.epochs)")
        return try train(options, data: data, sets: sets, folder: folder, resumeFrom: checkpoint, log: log)
    }

    /// The options saved in a run folder, validated again (values an older strata saved for options the
    /// model does not have are dropped first: `TrainingOptions.withoutInapplicableModelOptions()`);
    /// throws naming the file and the fault.
    public static func loadOptions(_ folder: RunFolder) throws -> TrainingOptions {
        let options: TrainingOptions
        do {
            options = try JSONDecoder().decode(TrainingOptions.self, from: Data(contentsOf: folder.options))
                .withoutInapplicableModelOptions()
        } catch {
            throw ExperimentError("\(folder.options.path): not readable training options: \(error)")
        }
        do {
            try options.validate()
        } catch {
            throw ExperimentError("\(folder.options.path): \(error)")
        }
        return options
    }

    /// The training set and the validation set (if `validationSplit` is above 0) of `data`, each
    /// prepared for `augment`; throws naming the option at fault when the options do not fit the data
    /// (`TrainingOptions.validate(trainingExamples:)`).
    static func trainingSets(_ options: TrainingOptions, data: ExperimentData,
                             ranks: Int = 1) throws -> (training: Dataset, validation: Dataset?) {
        let augmentation = AugmentationChoice(rawValue: options.augment) ?? .none
        var trainingSet = data.training
        var validationSet: Dataset?
        if options.validationSplit > 0 {
            let split = data.training.validationSplit(fraction: options.validationSplit, seed: options.seed,
                                                      stratified: options.stratified)
            trainingSet = split.training
            validationSet = split.validation
        }
        try options.validate(trainingExamples: trainingSet.count)
        guard options.batchSize * ranks <= trainingSet.count else {
            throw ExperimentError("--batch-size \(options.batchSize) per process × \(ranks) processes is more than the "
                + "\(trainingSet.count) training examples")
        }
        return (augmentation.prepared(trainingSet), validationSet.map(augmentation.prepared))
    }

    /// The catalog model of `options`, built for `dataset`'s images and classes with the run's seed.
    public static func buildModel(_ options: TrainingOptions, for dataset: Dataset) throws -> Model {
        var modelOptions = options.modelOptions
        modelOptions.classes = dataset.classCount
        let layout = try ModelCatalog.layout(of: options.model)
        guard layout != .rows || dataset.channels == 1 else {
            throw ExperimentError("model \(options.model) reads image rows and needs single-channel images, got \(dataset.channels) channels")
        }
        let network = try ModelCatalog.make(options.model, options: modelOptions)
        let inputShape = layout.shape(channels: dataset.channels, height: dataset.height, width: dataset.width)
        return try Model(network, inputShape: inputShape, seed: options.seed)
    }

    static func train(_ options: TrainingOptions, data: ExperimentData, sets: (training: Dataset, validation: Dataset?),
                      folder: RunFolder, resumeFrom checkpoint: Checkpoint?, extraCallbacks: [any Callback] = [],
                      log: (String) -> Void) throws -> TrainingRun {
        let augmentation = AugmentationChoice(rawValue: options.augment) ?? .none
        let (trainingSet, validationSet) = sets
        let world = try Communicator.world()
        let model = try buildModel(options, for: data.training)
        model.precision = try options.resolvedPrecision()
        if let request = options.precision {
            log("precision: \(model.precision.rawValue)" + (request == .automatic
                ? " (--precision auto; oneDNN ISA \(Precision.effectiveISAName))" : ""))
        }
        if options.syncBatchNorm == true { model.synchronizeBatchNormalization(over: world) }
        let optimizer = try OptimizerFactory.make(options.optimizer, learningRate: options.learningRate,
                                                  weightDecay: options.weightDecay)
        // The global batch grows with the ranks; the linear scaling rule (Goyal et al. 2017) when asked.
        if options.scaleLearningRate == true { optimizer.learningRate *= Float(world.size) }
        let learningRate = optimizer.learningRate
        model.compile(optimizer: optimizer,
                      loss: SparseCategoricalCrossentropy(fromLogits: true, labelSmoothing: options.labelSmoothing),
                      metrics: [.accuracy])
        let loader = DataLoader(trainingSet, batchSize: options.batchSize, shuffle: true, seed: options.seed,
                                augmentations: augmentation.trainingAugmentations, threads: ThreadPolicy.threadCount,
                                shard: DataShard(index: world.rank, of: world.size))
        let source = try DataLoaderBatches(loader, inputShape: model.inputShape)
        let validation = try validationSet.map {
            try DataLoaderBatches(DataLoader($0, batchSize: 500, shuffle: false), inputShape: model.inputShape)
        }
        log(model.summary())
        log("training on \(trainingSet.count) images, validating on \(validationSet?.count ?? 0), testing on \(data.test.count)")

        let monitor = validation != nil ? "val_loss" : "loss"
        let loop = TrainingLoop(model: model, optimizer: optimizer,
                                task: try SupervisedTask(model: model, source: source, validation: validation),
                                epochs: options.epochs, stepsPerEpoch: source.batchesPerEpoch,
                                sampleCount: source.sampleCount)
        // Every rank holds the same weights and logs; rank 0 alone shows and writes them.
        var callbacks: [any Callback] = []
        if world.isRoot {
            callbacks.append(ProgressBar())
            callbacks.append(checkpoint.map { CSVLogger(url: folder.history, continuing: $0.progress.history) }
                             ?? CSVLogger(url: folder.history))
        }
        callbacks += try OptimizerFactory.scheduleCallbacks(options.schedule, learningRate: learningRate,
                                                            epochs: options.epochs, stepsPerEpoch: source.batchesPerEpoch,
                                                            decayFactor: options.decayFactor, stepEpochs: options.scheduleStep,
                                                            warmupEpochs: options.warmupEpochs ?? 0)
        let earlyStopping = options.earlyStoppingPatience.map {
            EarlyStopping(monitor: monitor, patience: $0, restoreBestWeights: true,
                          bestWeightsFile: world.isRoot ? folder.url.appendingPathComponent("best.safetensors") : nil)
        }
        if let earlyStopping { callbacks.append(earlyStopping) }
        loop.callbacks = callbacks + extraCallbacks
        RunTracking.attach(to: loop, folder: folder)   // records into the tracking store when it is on
        // Saved after every epoch, once the callbacks have seen it, with their state, so a resume decides alike.
        loop.checkpointing = CheckpointSchedule(url: folder.checkpoint, options: options.describedValues(), monitor: monitor)
        loop.allowsNonFiniteLoss = options.allowNonFinite ?? false
        loop.communicator = world
        loop.weightAveraging = options.weightAveraging.map {
            WeightAveraging($0, parameters: model.parameters, buffers: model.buffers)
        }
        if let checkpoint { try loop.resume(from: checkpoint) }
        try loop.run()
        try finishWeightAveraging(loop.weightAveraging, model: model, options: options, trainingSet: trainingSet,
                                  augmentation: augmentation, log: log)
        if let earlyStopping, let error = earlyStopping.failure {
            throw ExperimentError("early stopping could not save or restore the best weights "
                + "(\(earlyStopping.bestWeightsFile?.path ?? "in memory")): \(error)")
        }
        let history = loop.history
        guard world.isRoot else {
            try world.barrier()   // while rank 0 tests and writes
            return TrainingRun(folder: folder, metrics: RunMetrics(dataset: data.name, model: options.model), history: history)
        }
        defer { try? world.barrier() }
        try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: nil,
                            progress: TrainingProgress(epochsCompleted: history.epochs.count, history: history,
                                                       options: options.describedValues()),
                            to: folder.url.appendingPathComponent("model.safetensors"))

        let evaluation = try ClassifierEvaluation.run(model, on: data.test, augmentation: augmentation,
                                                      testTimeAugmentation: options.testTimeAugmentation ?? 1)
        var metrics = RunMetrics(dataset: data.name, model: options.model)
        metrics.testAccuracy = evaluation.accuracy
        metrics.testLoss = evaluation.loss
        metrics.testExamples = data.test.count
        metrics.perClass = RunMetrics.classScores(confusion: evaluation.confusion, classNames: data.test.classNames,
                                                     unscored: evaluation.unscored)
        metrics.confusion = evaluation.confusion
        metrics.validationAccuracy = history.last("val_accuracy")
        metrics.trainingSeconds = loop.trainingSeconds
        metrics.trainingProcessorSeconds = loop.trainingProcessorSeconds
        metrics.epochs = history.epochs.count
        metrics.seed = options.seed
        metrics.threads = ThreadPolicy.threadCount
        metrics.parameters = model.parameters.scalarCount
        metrics.options = options.describedValues()
        if world.size > 1 { metrics.options["processes"] = String(world.size) }
        if options.precision == .automatic { metrics.options["precisionUsed"] = model.precision.rawValue }
        let report = RunReport(title: "\(options.model) on \(data.name)", history: history, summary: model.summary(),
                               metrics: metrics, classNames: data.test.classNames, confusion: evaluation.confusion,
                               mistakes: evaluation.mistakes(in: data.test), command: options.commandLine())
        try report.write(to: folder.url)
        RunTracking.finish(folder: folder)
        log(String(format: "test accuracy: %.2f%% (%d images), test loss %.4f, training %.1f s",
                   evaluation.accuracy * 100, data.test.count, evaluation.loss, loop.trainingSeconds))
        log("wrote \(folder.url.path)/report.html")
        return TrainingRun(folder: folder, metrics: metrics, history: history)
    }

    /// Puts the weight average, if any, into `model` for the test and the saved model; after SWA, recomputes
    /// the batch-norm statistics with one pass over the training images (augmented as in training, in a
    /// fixed order). Every rank does the same, so synchronized batch normalization still meets its peers.
    static func finishWeightAveraging(_ averaging: WeightAveraging?, model: Model, options: TrainingOptions,
                                      trainingSet: Dataset, augmentation: AugmentationChoice,
                                      log: (String) -> Void) throws {
        guard let averaging, averaging.hasAverage else { return }
        averaging.copyAverageIntoWeights()
        guard case .stochastic = averaging.method else {
            log("using the weights' moving average (decay \(options.emaDecay ?? 0), \(averaging.updates) steps)")
            return
        }
        let loader = DataLoader(trainingSet, batchSize: options.batchSize, shuffle: false, seed: options.seed,
                                augmentations: augmentation.trainingAugmentations, threads: ThreadPolicy.threadCount)
        let layers = model.recomputeBatchNormalization(over: try DataLoaderBatches(loader, inputShape: model.inputShape),
                                                       epoch: options.epochs)
        log("using the equal average of the weights of the last \(averaging.updates) epochs"
            + (layers > 0 ? ", batch-norm statistics of \(layers) layers recomputed on the training images" : ""))
    }
}
