import Foundation
import StrataCore
import StrataNN

/// Whether a monitored quantity is better when smaller or larger.
public enum MonitorMode: String, Sendable {
    /// Smaller is better (losses).
    case min
    /// Larger is better (accuracies).
    case max
    /// `max` for names containing "acc", else `min`, as Keras guesses.
    case auto

    /// The concrete direction for the quantity `name`.
    func resolved(for name: String) -> MonitorMode {
        guard self == .auto else { return self }
        return name.contains("acc") ? .max : .min
    }

    /// Whether `value` beats `best` by more than `minDelta` in this direction.
    func improves(_ value: Double, on best: Double, minDelta: Double) -> Bool {
        switch self {
        case .max: return value > best + minDelta
        case .min, .auto: return value < best - minDelta
        }
    }
}

/// Stops training when a monitored quantity has stopped improving for `patience` epochs, and can
/// put back the weights of the best epoch.
public final class EarlyStopping: StatefulCallback {
    /// The logged quantity watched (`val_loss` by default).
    public let monitor: String
    /// The smallest change that counts as an improvement.
    public let minDelta: Double
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// Whether to copy the best epoch's weights back into the model when training ends.
    public let restoreBestWeights: Bool
    private let mode: MonitorMode
    /// The best value seen so far.
    public private(set) var best: Double?
    /// The epoch (0-based) of the best value.
    public private(set) var bestEpoch: Int?
    /// The epoch (0-based) training was stopped after, if it was.
    public private(set) var stoppedEpoch: Int?
    private var wait = 0
    private var bestWeights: [[Float]]?
    private var restored = false
    /// Where the best weights are also written (so a resumed run can restore them), if anywhere.
    public let bestWeightsFile: URL?
    /// The first error met writing or reading `bestWeightsFile`; training stops when one is met, and
    /// the caller must report it (the weights left in the model are then not the best ones).
    public private(set) var failure: (any Error)?

    /// Early stopping on `monitor` after `patience` epochs without an improvement of more than `minDelta`.
    public init(monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0, mode: MonitorMode = .auto,
                restoreBestWeights: Bool = false, bestWeightsFile: URL? = nil) {
        self.bestWeightsFile = bestWeightsFile
        precondition(patience >= 0 && minDelta >= 0, "EarlyStopping: patience and minDelta must not be negative")
        self.monitor = monitor
        self.minDelta = minDelta
        self.patience = patience
        self.mode = mode.resolved(for: monitor)
        self.restoreBestWeights = restoreBestWeights
    }

    /// Resets the state (unless it was just restored from a checkpoint).
    public func onTrainBegin(model: Model, state: TrainingState) {
        if restored {
            restored = false
            return
        }
        best = nil
        bestEpoch = nil
        stoppedEpoch = nil
        wait = 0
        bestWeights = nil
        failure = nil
    }

    /// Records an improvement, or counts an epoch without one and stops after `patience` of them.
    public func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        guard let value = logs[monitor], value.isFinite else { return }
        if best == nil || mode.improves(value, on: best!, minDelta: minDelta) {
            best = value
            bestEpoch = state.epoch
            wait = 0
            if restoreBestWeights {
                bestWeights = EarlyStopping.snapshot(model)
                if let bestWeightsFile {
                    do {
                        try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: nil,
                                            progress: TrainingProgress(epochsCompleted: state.epoch + 1), to: bestWeightsFile)
                    } catch {
                        fail(error, model: model)
                    }
                }
            }
            return
        }
        wait += 1
        if wait > patience {
            stoppedEpoch = state.epoch
            model.stopTraining = true
        }
    }

    /// Restores the best weights when asked to and when the last epoch was not the best; a best-weights
    /// file that cannot be read back is recorded in `failure`.
    public func onTrainEnd(model: Model, state: TrainingState, logs: Logs) {
        guard failure == nil else { return }
        if restoreBestWeights, bestWeights == nil, let bestWeightsFile, bestEpoch != nil, bestEpoch != state.epoch {
            do {
                try Checkpoint.load(from: bestWeightsFile).restore(into: model.parameters, buffers: model.buffers)
            } catch {
                fail(error, model: model)
            }
            return
        }
        guard restoreBestWeights, let bestWeights, bestEpoch != state.epoch else { return }
        for (tensor, values) in zip((model.parameters + model.buffers).map(\.tensor), bestWeights) {
            values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: values.count) }
            tensor.storage.bumpVersion()  // so inference refolds the weights it caches (`CompiledInference`)
        }
    }

    /// Records the first failure to save or restore the best weights and stops training.
    private func fail(_ error: any Error, model: Model) {
        if failure == nil { failure = error }
        model.stopTraining = true
    }

    /// `early_stopping`.
    public var stateKey: String { "early_stopping" }

    /// The best value, its epoch and the epochs waited (the best weights are in `bestWeightsFile`).
    public var savedState: [String: String] {
        var state = ["wait": String(wait)]
        if let best { state["best"] = String(best) }
        if let bestEpoch { state["best_epoch"] = String(bestEpoch) }
        return state
    }

    /// Puts back the best value, its epoch and the epochs waited.
    public func restoreState(_ state: [String: String]) throws {
        wait = try count(state, "wait")
        best = state["best"] == nil ? nil : try number(state, "best")
        bestEpoch = state["best_epoch"] == nil ? nil : try count(state, "best_epoch")
        bestWeights = nil
        restored = true
    }

    /// A copy of every parameter and buffer value.
    static func snapshot(_ model: Model) -> [[Float]] {
        (model.parameters + model.buffers).map { $0.tensor.scalars }
    }
}

/// Stops training as soon as the loss of a batch is NaN or infinite.
public final class TerminateOnNaN: Callback {
    /// The batch (global step) at which the loss became non-finite, if it did.
    public private(set) var stoppedAtStep: Int?
    /// A NaN guard.
    public init() {}
    /// Stops when the running loss is not finite.
    public func onBatchEnd(model: Model, state: TrainingState, logs: Logs) {
        if let loss = logs["loss"], !loss.isFinite {
            stoppedAtStep = state.globalStep
            model.stopTraining = true
        }
    }
}
