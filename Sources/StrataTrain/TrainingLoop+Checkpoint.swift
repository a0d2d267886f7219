import Foundation
import StrataCore
import StrataNN

/// When and where `TrainingLoop` saves its checkpoint: after the first epoch that ends
/// `minimumInterval` seconds or more after the last save, after the last epoch, and when a callback
/// stops training. Every save replaces the file atomically, so an interrupted run keeps the last one.
public struct CheckpointSchedule {
    /// The checkpoint file.
    public var url: URL
    /// The least time between two saves, in seconds (0: after every epoch).
    public var minimumInterval: Double
    /// The run's options, stored with the progress so a resume can check them.
    public var options: [String: String]
    /// A logged quantity whose best value is kept in the checkpoint (`val_loss`), if any.
    public var monitor: String?
    /// Whether larger or smaller values of `monitor` are better.
    public var mode: MonitorMode

    /// A schedule saving to `url` at most every `minimumInterval` seconds (and after the last epoch).
    public init(url: URL, minimumInterval: Double = 0, options: [String: String] = [:], monitor: String? = nil,
                mode: MonitorMode = .auto) {
        self.url = url
        self.minimumInterval = minimumInterval
        self.options = options
        self.monitor = monitor
        self.mode = monitor.map { mode.resolved(for: $0) } ?? mode
    }
}

extension TrainingLoop {
    /// The key of the training time (seconds, across resumptions) among a checkpoint's extras.
    public static let trainingSecondsKey = "training_seconds"
    /// The key of the training processor time (seconds, across resumptions) among a checkpoint's extras.
    public static let trainingProcessorSecondsKey = "training_processor_seconds"

    /// Where the run stands, as a checkpoint's progress: epochs, step, best value, the task's random
    /// state, the history, the options, the training time and every stateful callback's state.
    public func progress(options: [String: String] = [:], monitor: String? = nil) -> TrainingProgress {
        var extra = [Self.trainingSecondsKey: String(trainingSeconds),
                     Self.trainingProcessorSecondsKey: String(trainingProcessorSeconds),
                     Self.worldSizeKey: String(communicator.size)]
        for callback in callbacks.compactMap({ $0 as? any StatefulCallback }) {
            for (key, value) in callback.savedState { extra["\(callback.stateKey).\(key)"] = value }
        }
        if let weightAveraging { extra[WeightAveraging.updatesKey] = String(weightAveraging.updates) }
        return TrainingProgress(epochsCompleted: epochsCompleted, globalStep: globalStep, monitor: monitor,
                                bestValue: bestValue, seed: model.seed, randomState: task.randomState,
                                history: history, options: options, extra: extra)
    }

    /// The extras key of the steps done in the epoch under way (a checkpoint taken inside an epoch).
    public static let epochStepKey = "epoch_step"
    /// The prefix of the extras keys that hold the task's `epochState`.
    public static let epochStatePrefix = "epoch_state."
    /// The extras key of the dropout layers' generator states (words comma-separated, layers by `;`).
    public static let dropoutStateKey = "dropout_state"

    /// Saves the weights, buffers, optimizer state, progress and weight average (`average/…` tensors) to the
    /// schedule's file, atomically; with `partial` (steps done and the task's measures), a checkpoint inside
    /// the epoch under way.
    func saveCheckpoint(_ schedule: CheckpointSchedule, partial: (step: Int, taskState: [String: String])? = nil) throws {
        guard communicator.isRoot else {   // every rank holds the same state; rank 0 writes it
            checkpointedEpochs = epochsCompleted
            return
        }
        var progress = progress(options: schedule.options, monitor: schedule.monitor)
        if let partial {
            progress.extra[Self.epochStepKey] = String(partial.step)
            for (key, value) in partial.taskState { progress.extra[Self.epochStatePrefix + key] = value }
            progress.extra[Self.dropoutStateKey] = model.dropoutLayers
                .map { $0.layer.generator.state.map(String.init).joined(separator: ",") }.joined(separator: ";")
        }
        try Checkpoint.save(parameters: parameters, buffers: buffers, optimizer: optimizer, progress: progress,
                            otherTensors: weightAveraging?.checkpointTensors ?? [:], to: schedule.url)
        checkpointedEpochs = epochsCompleted
    }

    /// Acts on SIGINT or SIGTERM after a step: saves a checkpoint at this step (when the run saves
    /// checkpoints and its task can continue an epoch part way), ends the callbacks and throws
    /// `TrainingInterrupted`.
    func interrupt(by signal: Int32, state: TrainingState, lastLogs: Logs) throws -> Never {
        TrainingSignals.clear()
        var saved: String?
        if let schedule = checkpointing, let taskState = task.epochState {
            try saveCheckpoint(schedule, partial: (state.batch + 1, taskState))
            saved = communicator.isRoot ? schedule.url.path : nil
        }
        callbacks.forEach { $0.onTrainEnd(model: model, state: state, logs: lastLogs) }
        throw TrainingInterrupted(signal: signal, epoch: state.epoch + 1, step: state.batch + 1, checkpoint: saved,
                                  lastCheckpointEpochs: checkpointedEpochs)
    }

    /// Continues from `checkpoint`: puts back the weights, buffers and optimizer state, the weight
    /// average, the task's random state, the stateful callbacks' state, the history, the step counter, the
    /// best value and the training time. Call it after setting `callbacks`. Throws naming the file when the
    /// checkpoint does not fit this run.
    public func resume(from checkpoint: Checkpoint) throws {
        let path = checkpoint.source?.path ?? "(in memory)"
        let progress = checkpoint.progress
        let savedWorld = Int(progress.extra[Self.worldSizeKey] ?? "1") ?? 1
        guard savedWorld == communicator.size else {
            throw TrainingError("\(path): the run was trained on \(savedWorld) process\(savedWorld == 1 ? "" : "es"); resume it "
                + (savedWorld == 1 ? "without mpirun" : "with mpirun -np \(savedWorld)") + ", not with \(communicator.size)")
        }
        let epochStep = try progress.extra[Self.epochStepKey].map { text in
            guard let step = Int(text), step >= 0, step <= stepsPerEpoch else {
                throw TrainingError("\(path): '\(Self.epochStepKey)' is '\(text)', not a step of an epoch of \(stepsPerEpoch)")
            }
            return step
        } ?? 0
        guard progress.epochsCompleted + (epochStep > 0 ? 1 : 0) <= epochs,
              progress.history.epochs.count == progress.epochsCompleted,
              progress.globalStep <= progress.epochsCompleted * stepsPerEpoch + epochStep else {
            throw TrainingError("\(path): \(progress.epochsCompleted) epochs and \(progress.globalStep) steps saved with "
                + "\(progress.history.epochs.count) epochs in the history do not fit a run of \(epochs) epochs of "
                + "\(stepsPerEpoch) steps")
        }
        try weightAveraging?.restore(from: checkpoint)
        try checkpoint.restore(into: parameters, buffers: buffers, optimizer: optimizer)
        let saved = progress.randomState ?? []
        guard task.restore(randomState: saved) else {
            throw TrainingError("\(path): no valid random_state to continue the run's random draws from "
                                + "(\(saved.count) words saved)")
        }
        try ModelCheckpoint.restore(callbacks.compactMap { $0 as? any StatefulCallback }, from: progress, path: path)
        history = progress.history
        epochsCompleted = progress.epochsCompleted
        globalStep = progress.globalStep
        bestValue = progress.bestValue
        trainingSeconds = Double(progress.extra[Self.trainingSecondsKey] ?? "") ?? 0
        trainingProcessorSeconds = Double(progress.extra[Self.trainingProcessorSecondsKey] ?? "") ?? 0
        checkpointedEpochs = progress.epochsCompleted
        partialEpoch = nil
        if epochStep > 0 {
            var taskState: [String: String] = [:]
            for (key, value) in progress.extra where key.hasPrefix(Self.epochStatePrefix) {
                taskState[String(key.dropFirst(Self.epochStatePrefix.count))] = value
            }
            partialEpoch = try PartialEpoch(step: epochStep, taskState: taskState,
                                            dropoutText: progress.extra[Self.dropoutStateKey] ?? "", path: path)
        }
    }
}

/// A checkpoint taken inside an epoch: the steps done, the task's running measures and the dropout
/// layers' generators, put back when the loop continues that epoch.
struct PartialEpoch {
    /// The steps of the epoch already done.
    let step: Int
    /// The task's `epochState`.
    let taskState: [String: String]
    /// Each dropout layer's generator state, in `Model.dropoutLayers` order.
    let dropoutStates: [[UInt64]]
    /// The checkpoint's path, for errors.
    let path: String

    /// Parses the dropout states (`a,b,c,d;e,f,g,h`); throws naming the checkpoint when malformed.
    init(step: Int, taskState: [String: String], dropoutText: String, path: String) throws {
        self.step = step
        self.taskState = taskState
        self.path = path
        dropoutStates = try dropoutText.isEmpty ? [] : dropoutText.split(separator: ";", omittingEmptySubsequences: false)
            .map { layer in
                try layer.split(separator: ",").map { word in
                    guard let value = UInt64(word) else {
                        throw TrainingError("\(path): '\(TrainingLoop.dropoutStateKey)' holds '\(word)', not a state word")
                    }
                    return value
                }
            }
    }

    /// Puts the saved generators into `model`'s dropout layers; throws when their number differs.
    func restoreDropout(in model: Model) throws {
        let layers = model.dropoutLayers
        guard layers.count == dropoutStates.count else {
            throw TrainingError("\(path): \(dropoutStates.count) dropout generators saved for a model with \(layers.count)")
        }
        for (layer, words) in zip(layers, dropoutStates) {
            guard let generator = RandomGenerator(state: words) else {
                throw TrainingError("\(path): a saved dropout generator state is not valid")
            }
            layer.layer.generator = generator
        }
    }
}
