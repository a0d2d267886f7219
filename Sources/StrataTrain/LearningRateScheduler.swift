import StrataNN

/// Sets the optimizer's learning rate from a schedule before every batch.
///
/// Epoch-based schedules (`StepDecay`, `ExponentialDecay`: ×0.98 per epoch, say) change at epoch
/// boundaries; step-based ones (`CosineDecay`, `OneCycle`) change every batch.
public final class LearningRateScheduler: Callback {
    /// The schedule followed.
    public let schedule: any LearningRateSchedule

    /// A scheduler following `schedule`.
    public init(_ schedule: any LearningRateSchedule) { self.schedule = schedule }

    /// Sets the rate for the coming step.
    public func onBatchBegin(model: Model, state: TrainingState) {
        model.optimizer?.learningRate = schedule.learningRate(epoch: state.epoch, step: state.globalStep,
                                                              stepsPerEpoch: state.stepsPerEpoch)
    }
}

/// Divides the learning rate by a factor when a monitored quantity stops improving (Keras's and
/// PyTorch's ReduceLROnPlateau), checked at the end of each epoch.
public final class ReduceLROnPlateau: StatefulCallback {
    /// The plateau detector (PyTorch's rules: relative threshold, patience, cooldown, floor).
    public let detector: ReduceOnPlateau
    /// The logged quantity watched (`val_loss` by default).
    public let monitor: String

    /// Watches `monitor` with `detector`.
    public init(monitor: String = "val_loss", detector: ReduceOnPlateau = ReduceOnPlateau()) {
        self.monitor = monitor
        self.detector = detector
    }

    /// Feeds the epoch's value to the detector and applies the rate it returns.
    public func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        guard let value = logs[monitor], let optimizer = model.optimizer else { return }
        optimizer.learningRate = detector.update(metric: Float(value), current: optimizer.learningRate)
    }

    /// `reduce_lr_on_plateau`.
    public var stateKey: String { "reduce_lr_on_plateau" }

    /// The detector's best value, bad epochs and cooldown.
    public var savedState: [String: String] {
        ["best": String(detector.best), "bad_epochs": String(detector.badEpochs),
         "cooldown": String(detector.cooldownRemaining)]
    }

    /// Puts the detector's state back.
    public func restoreState(_ state: [String: String]) throws {
        detector.restore(best: Float(try number(state, "best")), badEpochs: try count(state, "bad_epochs"),
                         cooldownRemaining: try count(state, "cooldown"))
    }
}
