import StrataCore

/// The values logged at the end of a batch or an epoch, in the order they were logged
/// (`loss`, `accuracy`, `val_loss`, `val_accuracy`, …).
public struct Logs: Sendable, Equatable {
    /// The name and value of each entry, in order.
    public private(set) var entries: [(name: String, value: Double)] = []

    /// Empty logs.
    public init() {}

    /// The value logged under `name`, or nil; setting replaces an entry or appends a new one.
    public subscript(name: String) -> Double? {
        get { entries.first { $0.name == name }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.name == name }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((name, newValue))
            }
        }
    }

    /// Entry-by-entry equality.
    public static func == (lhs: Logs, rhs: Logs) -> Bool {
        lhs.entries.map(\.name) == rhs.entries.map(\.name) && lhs.entries.map(\.value) == rhs.entries.map(\.value)
    }
}

/// Where a training run is: the one small piece of per-step state that callbacks read.
public struct TrainingState: Sendable {
    /// The epoch under way, 0-based.
    public var epoch = 0
    /// The number of epochs the run will do in all (its last epoch is `epochs − 1`).
    public var epochs = 0
    /// The batch under way within the epoch, 0-based.
    public var batch = 0
    /// The number of training batches per epoch.
    public var stepsPerEpoch = 0
    /// The number of optimizer steps done since the run began (across resumptions).
    public var globalStep = 0
    /// The number of training examples.
    public var sampleCount = 0

    /// The state before the first batch, for loops of one's own that drive callbacks (a siamese
    /// network trained step by step, say).
    public init(epochs: Int = 0, stepsPerEpoch: Int = 0, sampleCount: Int = 0) {
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.sampleCount = sampleCount
    }
}

/// Something that reacts to the events of a training run; every method has a no-op default, so a
/// callback implements only the events it needs. The model is passed to each event, so a callback
/// can stop training (`model.stopTraining = true`), change the learning rate, or copy weights.
public protocol Callback: AnyObject {
    /// Before the first epoch.
    func onTrainBegin(model: Model, state: TrainingState)
    /// After the last epoch (or when training stops early).
    func onTrainEnd(model: Model, state: TrainingState, logs: Logs)
    /// At the start of each epoch.
    func onEpochBegin(model: Model, state: TrainingState)
    /// At the end of each epoch, with the epoch's training and validation logs.
    func onEpochEnd(model: Model, state: TrainingState, logs: Logs)
    /// Before each training batch.
    func onBatchBegin(model: Model, state: TrainingState)
    /// After each training batch, with the running means over the epoch so far.
    func onBatchEnd(model: Model, state: TrainingState, logs: Logs)
}

extension Callback {
    /// Does nothing.
    public func onTrainBegin(model: Model, state: TrainingState) {}
    /// Does nothing.
    public func onTrainEnd(model: Model, state: TrainingState, logs: Logs) {}
    /// Does nothing.
    public func onEpochBegin(model: Model, state: TrainingState) {}
    /// Does nothing.
    public func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {}
    /// Does nothing.
    public func onBatchBegin(model: Model, state: TrainingState) {}
    /// Does nothing.
    public func onBatchEnd(model: Model, state: TrainingState, logs: Logs) {}
}

/// A callback whose decisions depend on what it saw in earlier epochs (a plateau detector, early
/// stopping); `ModelCheckpoint` saves its state so that a resumed run decides exactly as before.
public protocol StatefulCallback: Callback {
    /// A key unique among the run's callbacks (`early_stopping`).
    var stateKey: String { get }
    /// The state as strings.
    var savedState: [String: String] { get }
    /// Puts back state from `savedState`; throws naming the entry that is missing or unreadable.
    func restoreState(_ state: [String: String]) throws
}

extension StatefulCallback {
    /// Reads a number saved by `savedState`, or throws naming the callback and the entry.
    func number(_ state: [String: String], _ key: String) throws -> Double {
        guard let text = state[key], let value = Double(text) else {
            throw TrainingError("saved state of \(stateKey): entry '\(key)' is missing or not a number")
        }
        return value
    }

    /// Reads a whole, non-negative number saved by `savedState` (a count or an epoch), or throws naming the
    /// callback and the entry (a NaN, a fraction or 1e300 would trap in a conversion to `Int`).
    func count(_ state: [String: String], _ key: String) throws -> Int {
        let value = try number(state, key)
        guard let whole = Int(exactly: value), whole >= 0 else {
            throw TrainingError("saved state of \(stateKey): entry '\(key)' is \(state[key] ?? ""), not a whole number ≥ 0")
        }
        return whole
    }
}
