import Foundation
import StrataCore
import StrataData
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
    public static func start(_ options: TrainingOptions, output: String? = nil, overwrite: Bool = false,
                             extraCallbacks: [any Callback] = [], log: (String) -> Void) throws -> TrainingRun {
        try options.validate()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let data = try ExperimentData.load(options.dataset, dataDirectory: options.dataDirectory, seed: options.seed)
        var resolved = options
        if resolved.dataset == "default" { resolved.dataset = data.name }
        let folder = try RunFolder.create(output: output, name: "\(data.name)-\(options.model)", overwrite: overwrite)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(resolved), to: folder.options)
        log("run folder: \(folder.url.path)")
        return try train(resolved, data: data, folder: folder, resumeFrom: nil, extraCallbacks: extraCallbacks, log: log)
    }

    /// Continues an interrupted run from its last checkpoint, with its own options; the result is the
    /// same as if it had not been interrupted.
    public static func resume(_ path: String, log: (String) -> Void) throws -> TrainingRun {
        let folder = try RunFolder(existing: path)
        let options = try loadOptions(folder)
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let data = try ExperimentData.load(options.dataset, dataDirectory: options.dataDirectory, seed: options.seed)
        let checkpoint = try Checkpoint.load(from: folder.checkpoint)
        log("resuming \(folder.url.path) after epoch \(checkpoint.progress.epochsCompleted) of \(options.epochs)")
        return try train(options, data: data, folder: folder, resumeFrom: checkpoint, log: log)
    }

    /// The options saved in a run folder, validated again; throws naming the file and the fault.
    public static func loadOptions(_ folder: RunFolder) throws -> TrainingOptions {
        try RunFolder.readOptions(TrainingOptions.self, from: folder.options)
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

    static func train(_ options: TrainingOptions, data: ExperimentData, folder: RunFolder, resumeFrom checkpoint: Checkpoint?,
                      extraCallbacks: [any Callback] = [], log: (String) -> Void) throws -> TrainingRun {
        let augmentation = AugmentationChoice(rawValue: options.augment) ?? .none
        var trainingSet = data.training
        var validationSet: Dataset?
        if options.validationSplit > 0 {
            let split = data.training.validationSplit(fraction: options.validationSplit, seed: options.seed,
                                                      stratified: options.stratified)
            trainingSet = split.training
            validationSet = split.validation
        }
        trainingSet = augmentation.prepared(trainingSet)
        validationSet = validationSet.map(augmentation.prepared)
        guard options.batchSize <= trainingSet.count else {
            throw ExperimentError("--batch-size \(options.batchSize) is larger than the \(trainingSet.count) training examples")
        }
        let model = try buildModel(options, for: data.training)
        let optimizer = try OptimizerFactory.make(options.optimizer, learningRate: options.learningRate,
                                                  weightDecay: options.weightDecay)
        let learningRate = optimizer.learningRate
        model.compile(optimizer: optimizer,
                      loss: SparseCategoricalCrossentropy(fromLogits: true, labelSmoothing: options.labelSmoothing),
                      metrics: [.accuracy])
        var initialEpoch = 0
        var priorHistory = History()
        if let checkpoint {
            try checkpoint.restore(into: model.parameters, buffers: model.buffers, optimizer: optimizer)
            initialEpoch = checkpoint.progress.epochsCompleted
            priorHistory = checkpoint.progress.history
        }
        let loader = DataLoader(trainingSet, batchSize: options.batchSize, shuffle: true, seed: options.seed,
                                augmentations: augmentation.trainingAugmentations, threads: ThreadPolicy.threadCount)
        let source = try DataLoaderBatches(loader, inputShape: model.inputShape)
        let validation = try validationSet.map {
            try DataLoaderBatches(DataLoader($0, batchSize: 500, shuffle: false), inputShape: model.inputShape)
        }
        log(model.summary())
        log("training on \(trainingSet.count) images, validating on \(validationSet?.count ?? 0), testing on \(data.test.count)")

        let monitor = validation != nil ? "val_loss" : "loss"
        var callbacks: [any Callback] = [CSVLogger(url: folder.history, append: initialEpoch > 0)]
        callbacks += try OptimizerFactory.scheduleCallbacks(options.schedule, learningRate: learningRate,
                                                            epochs: options.epochs, stepsPerEpoch: source.batchesPerEpoch,
                                                            decayFactor: options.decayFactor, stepEpochs: options.scheduleStep)
        let checkpointer = ModelCheckpoint(url: folder.checkpoint, monitor: monitor, history: priorHistory,
                                           best: checkpoint?.progress.bestValue, options: options.describedValues())
        if let patience = options.earlyStoppingPatience {
            callbacks.append(EarlyStopping(monitor: monitor, patience: patience, restoreBestWeights: true,
                                           bestWeightsFile: folder.url.appendingPathComponent("best.safetensors")))
        }
        // Saved after the other callbacks have seen the epoch, with their state, so a resume decides alike.
        checkpointer.statefulCallbacks = callbacks.compactMap { $0 as? any StatefulCallback }
        if let checkpoint {
            try ModelCheckpoint.restore(checkpointer.statefulCallbacks, from: checkpoint.progress, path: checkpoint.source?.path)
        }
        callbacks.append(checkpointer)
        callbacks += extraCallbacks
        let start = DispatchTime.now()
        if initialEpoch < options.epochs {
            try model.fit(source, epochs: options.epochs, validation: validation, callbacks: callbacks,
                          initialEpoch: initialEpoch)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if let error = checkpointer.saveError {
            throw ExperimentError("could not save the checkpoint \(folder.checkpoint.path): \(error)")
        }
        let history = checkpointer.history
        try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: nil,
                            progress: TrainingProgress(epochsCompleted: history.epochs.count, history: history,
                                                       options: options.describedValues()),
                            to: folder.url.appendingPathComponent("model.safetensors"))

        let evaluation = try ClassifierEvaluation.run(model, on: data.test, augmentation: augmentation)
        var metrics = RunMetrics(dataset: data.name, model: options.model)
        metrics.testAccuracy = evaluation.accuracy
        metrics.testLoss = evaluation.loss
        metrics.testExamples = data.test.count
        metrics.perClass = RunMetrics.classScores(confusion: evaluation.confusion, classNames: data.test.classNames)
        metrics.confusion = evaluation.confusion
        metrics.validationAccuracy = history.last("val_accuracy")
        metrics.trainingSeconds = seconds + (Double(checkpoint?.progress.extra["trainingSeconds"] ?? "") ?? 0)
        metrics.epochs = history.epochs.count
        metrics.seed = options.seed
        metrics.threads = ThreadPolicy.threadCount
        metrics.parameters = model.parameters.scalarCount
        metrics.options = options.describedValues()
        let report = RunReport(title: "\(options.model) on \(data.name)", history: history, summary: model.summary(),
                               metrics: metrics, classNames: data.test.classNames, confusion: evaluation.confusion,
                               mistakes: evaluation.mistakes(in: data.test))
        try report.write(to: folder.url)
        log(String(format: "test accuracy: %.2f%% (%d images), test loss %.4f, training %.1f s",
                   evaluation.accuracy * 100, data.test.count, evaluation.loss, seconds))
        log("wrote \(folder.url.path)/report.html")
        return TrainingRun(folder: folder, metrics: metrics, history: history)
    }
}
