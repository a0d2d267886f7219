import StrataCore

/// The part of a training run that differs between experiments, driven by `TrainingLoop`: what one
/// step computes, what an epoch reports, and the random state a checkpoint must carry.
///
/// The loop owns everything the experiments share: backward, gradient hooks, the optimizer step, the
/// step counter, callbacks, the history, the non-finite-loss guard, checkpoints and resume. A task
/// only builds each step's loss and keeps its running measures:
///
/// ```swift
/// final class SquaresTask: TrainingTask {
///     let model: Model, inputs: Tensor, targets: Tensor
///     var total = 0.0, steps = 0
///     …
///     func beginEpoch(state: TrainingState) throws { total = 0; steps = 0 }
///     func loss(state: TrainingState) throws -> Tensor {
///         MeanSquaredError()(predictions: model(inputs, training: true), targets: targets)
///     }
///     func endStep(loss: Float, state: TrainingState) -> Logs {
///         total += Double(loss); steps += 1
///         var logs = Logs(); logs["loss"] = total / Double(steps); return logs
///     }
///     func endEpoch(state: TrainingState) throws -> Logs { endStep(loss: 0, state: state) … }
/// }
/// ```
public protocol TrainingTask: AnyObject {
    /// Prepares epoch `state.epoch`: resets the epoch's measures, sets its learning rate.
    func beginEpoch(state: TrainingState) throws
    /// The loss of step `state.batch` of the epoch: a scalar tensor recorded for `backward()`.
    func loss(state: TrainingState) throws -> Tensor
    /// Records the step just taken (its loss, and whatever `loss(state:)` kept) and returns the epoch's
    /// running logs for the callbacks' `onBatchEnd`.
    func endStep(loss: Float, state: TrainingState) -> Logs
    /// The epoch's logs after its last step, validation included; they go into the history.
    func endEpoch(state: TrainingState) throws -> Logs
    /// The state of the task's own random streams, saved in each checkpoint; nil when every draw derives
    /// from the seed, the epoch and the step (then nothing needs saving).
    var randomState: [UInt64]? { get }
    /// Puts back a state saved from `randomState`; false when it does not fit this task.
    func restore(randomState: [UInt64]) -> Bool
    /// The epoch's running measures after the steps done so far, for a checkpoint taken inside an
    /// epoch (at Ctrl-C); nil when the task cannot continue an epoch part way.
    var epochState: [String: String]? { get }
    /// Continues epoch `state.epoch` after its first `state.batch` steps (called after `beginEpoch`):
    /// puts back the measures saved by `epochState` and moves the data past those steps.
    func resumeEpoch(from saved: [String: String], state: TrainingState) throws
    /// The examples of the step `loss(state:)` just computed and of a full step; in data-parallel
    /// training a rank's smaller part of an epoch's last batch then weighs less, so the averaged gradient
    /// is the mean over every example. nil: every step holds as many.
    var stepExamples: (count: Int, full: Int)? { get }
}

extension TrainingTask {
    /// Nothing to prepare.
    public func beginEpoch(state: TrainingState) throws {}
    /// No random state of its own.
    public var randomState: [UInt64]? { nil }
    /// Accepts only an empty state.
    public func restore(randomState: [UInt64]) -> Bool { randomState.isEmpty }
    /// Cannot continue an epoch part way.
    public var epochState: [String: String]? { nil }
    /// Every step holds as many examples.
    public var stepExamples: (count: Int, full: Int)? { nil }
    /// Refuses: this task cannot continue an epoch part way.
    public func resumeEpoch(from saved: [String: String], state: TrainingState) throws {
        throw TrainingError("\(type(of: self)) cannot continue an epoch part way; resume from a checkpoint taken at an epoch's end")
    }
}

extension [String: String] {
    /// The saved number under `key`, or an error naming the entry (for `resumeEpoch`).
    public func savedNumber(_ key: String) throws -> Double {
        guard let text = self[key], let value = Double(text) else {
            throw TrainingError("the checkpoint's epoch state has no number '\(key)'")
        }
        return value
    }
}

/// The loss of a training step was NaN or infinite: training stopped before the step changed the
/// weights, so the last checkpoint is the last good state.
public struct NonFiniteLossError: Error, CustomStringConvertible, Equatable {
    /// The loss's value (NaN or ±infinity).
    public let value: Float
    /// The epoch, 1-based.
    public let epoch: Int
    /// The step within the epoch, 1-based.
    public let step: Int
    /// The checkpoint that still holds the last good state, if the run saves one.
    public let checkpoint: String?
    /// The epochs that checkpoint holds.
    public let checkpointEpochs: Int

    /// An error for the step at `epoch`, `step` (both 1-based).
    public init(value: Float, epoch: Int, step: Int, checkpoint: String? = nil, checkpointEpochs: Int = 0) {
        self.value = value
        self.epoch = epoch
        self.step = step
        self.checkpoint = checkpoint
        self.checkpointEpochs = checkpointEpochs
    }

    /// What happened, where the good state is, and what to try.
    public var description: String {
        var text = "the loss became \(value) at epoch \(epoch), step \(step): training diverged and stopped before "
            + "this step changed the weights"
        if let checkpoint {
            text += checkpointEpochs > 0
                ? "; \(checkpoint) keeps the state after epoch \(checkpointEpochs)"
                : "; no checkpoint was saved before it"
        }
        return text + ". Try a lower learning rate (--learning-rate), gradient clipping, or a learning-rate warm-up"
            + " (to train on regardless, pass --allow-nonfinite)"
    }
}
