import Foundation
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

    /// Where the run stands, as a checkpoint's progress: epochs, step, best value, the task's random
    /// state, the history, the options, the training time and every stateful callback's state.
    public func progress(options: [String: String] = [:], monitor: String? = nil) -> TrainingProgress {
        var extra = [Self.trainingSecondsKey: String(trainingSeconds)]
        for callback in callbacks.compactMap({ $0 as? any StatefulCallback }) {
            for (key, value) in callback.savedState { extra["\(callback.stateKey).\(key)"] = value }
        }
        return TrainingProgress(epochsCompleted: epochsCompleted, globalStep: globalStep, monitor: monitor,
                                bestValue: bestValue, seed: model.seed, randomState: task.randomState,
                                history: history, options: options, extra: extra)
    }

    /// Saves the weights, buffers, optimizer state and progress to the schedule's file, atomically.
    func saveCheckpoint(_ schedule: CheckpointSchedule) throws {
        try Checkpoint.save(parameters: parameters, buffers: buffers, optimizer: optimizer,
                            progress: progress(options: schedule.options, monitor: schedule.monitor), to: schedule.url)
        checkpointedEpochs = epochsCompleted
    }

    /// Continues from `checkpoint`: puts back the weights, buffers and optimizer state, the task's
    /// random state, the stateful callbacks' state, the history, the step counter, the best value and
    /// the training time. Call it after setting `callbacks`. Throws naming the file when the
    /// checkpoint does not fit this run.
    public func resume(from checkpoint: Checkpoint) throws {
        let path = checkpoint.source?.path ?? "(in memory)"
        let progress = checkpoint.progress
        guard progress.epochsCompleted <= epochs, progress.history.epochs.count == progress.epochsCompleted,
              progress.globalStep <= progress.epochsCompleted * stepsPerEpoch else {
            throw TrainingError("\(path): \(progress.epochsCompleted) epochs and \(progress.globalStep) steps saved with "
                + "\(progress.history.epochs.count) epochs in the history do not fit a run of \(epochs) epochs of "
                + "\(stepsPerEpoch) steps")
        }
        try checkpoint.restore(into: parameters, buffers: buffers, optimizer: optimizer)
        let saved = progress.randomState ?? []
        guard task.restore(randomState: saved) else {
            throw TrainingError("\(path): no valid random_state to continue the run's random draws from "
                                + "(\(saved.count) words saved)")
        }
        try ModelCheckpoint.restore(callbacks.compactMap { $0 as? any StatefulCallback }, from: progress)
        history = progress.history
        epochsCompleted = progress.epochsCompleted
        globalStep = progress.globalStep
        bestValue = progress.bestValue
        trainingSeconds = Double(progress.extra[Self.trainingSecondsKey] ?? "") ?? 0
        checkpointedEpochs = progress.epochsCompleted
    }
}
