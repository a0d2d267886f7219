import Foundation
import StrataNN

/// Saves the model's weights, the optimizer's state and the training progress as a safetensors
/// checkpoint at the end of every epoch (or only when a monitored quantity improves), atomically,
/// so that an interrupted run loses nothing it had saved and `--resume` continues exactly.
public final class ModelCheckpoint: Callback {
    /// The checkpoint file (overwritten at each save).
    public let url: URL
    /// The quantity watched when `saveBestOnly` (`val_loss` by default).
    public let monitor: String
    /// Save only when `monitor` improves.
    public let saveBestOnly: Bool
    private let mode: MonitorMode
    /// The history of the epochs before this run (for a resumed run), extended by every epoch.
    public private(set) var history: History
    /// Options to store with the progress.
    public let options: [String: String]
    /// The best monitored value so far.
    public private(set) var best: Double?
    /// The first error met while saving (training goes on; the caller reports it).
    public private(set) var saveError: (any Error)?
    /// Callbacks whose state is saved with each checkpoint (as `extra/<key>.<entry>`).
    public var statefulCallbacks: [any StatefulCallback] = []
    /// Extra strings saved with each checkpoint.
    public var extra: [String: String] = [:]

    /// A checkpoint writer to `url`; `history` holds the epochs done before (when resuming).
    public init(url: URL, monitor: String = "val_loss", saveBestOnly: Bool = false, mode: MonitorMode = .auto,
                history: History = History(), best: Double? = nil, options: [String: String] = [:]) {
        self.url = url
        self.monitor = monitor
        self.saveBestOnly = saveBestOnly
        self.mode = mode.resolved(for: monitor)
        self.history = history
        self.best = best
        self.options = options
    }

    /// Records the epoch and saves when due.
    public func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        history.record(epoch: state.epoch + 1, logs: logs.entries)
        let value = logs[monitor]
        let improved = value.map { v in best.map { mode.improves(v, on: $0, minDelta: 0) } ?? true } ?? false
        if improved { best = value }
        guard !saveBestOnly || improved else { return }
        var extra = self.extra
        for callback in statefulCallbacks {
            for (key, value) in callback.savedState { extra["\(callback.stateKey).\(key)"] = value }
        }
        let progress = TrainingProgress(epochsCompleted: state.epoch + 1, globalStep: state.globalStep, monitor: monitor,
                                        bestValue: best, seed: model.seed, history: history, options: options,
                                        extra: extra)
        do {
            try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: model.optimizer,
                                progress: progress, to: url)
        } catch {
            if saveError == nil { saveError = error }
        }
    }
}

extension ModelCheckpoint {
    /// Restores the state that `statefulCallbacks` saved in `progress` (for a resumed run); an error names
    /// `path`, the checkpoint the progress was read from, when given.
    public static func restore(_ callbacks: [any StatefulCallback], from progress: TrainingProgress,
                               path: String? = nil) throws {
        for callback in callbacks {
            let prefix = callback.stateKey + "."
            let state = progress.extra.filter { $0.key.hasPrefix(prefix) }
                .reduce(into: [String: String]()) { $0[String($1.key.dropFirst(prefix.count))] = $1.value }
            guard !state.isEmpty else { continue }
            do {
                try callback.restoreState(state)
            } catch {
                guard let path else { throw error }
                throw TrainingError("\(path): \(error)")
            }
        }
    }
}
