/// Lowers the learning rate when a monitored metric (usually the validation loss) stops improving,
/// following PyTorch's `ReduceLROnPlateau` step for step.
///
/// Call `update(metric:current:)` once per epoch with the metric and the optimizer's learning rate,
/// and set the optimizer's rate to the result. A metric counts as an improvement when it beats the best
/// so far by more than `minDelta`: by default relatively (PyTorch's `threshold_mode="rel"`,
/// `threshold=1e-4`: for `.min`, `metric < best · (1 − minDelta)`), or by an absolute amount with
/// `thresholdMode: .absolute` (Keras's `min_delta`). After more than `patience` epochs without
/// improvement the rate is multiplied by `factor` (never below `minimumLearningRate`; changes smaller
/// than 1e-8 are ignored, as in PyTorch), and the next `cooldown` epochs are not counted as bad.
///
/// ```swift
/// let plateau = ReduceOnPlateau(factor: 0.5, patience: 3)
/// optimizer.learningRate = plateau.update(metric: validationLoss, current: optimizer.learningRate)
/// ```
public final class ReduceOnPlateau {
    /// Whether the metric is better when lower (a loss) or higher (an accuracy).
    public enum Mode: Sendable {
        /// Lower is better.
        case min
        /// Higher is better.
        case max
    }

    /// How `minDelta` is compared with the best value so far.
    public enum ThresholdMode: Sendable {
        /// An improvement must beat the best value by `minDelta` times its size (PyTorch's default).
        case relative
        /// An improvement must beat the best value by `minDelta` (Keras's `min_delta`).
        case absolute
    }

    /// The factor the learning rate is multiplied by at each reduction.
    public let factor: Float
    /// The number of epochs without improvement that are tolerated before reducing.
    public let patience: Int
    /// The least improvement that counts, relative or absolute according to `thresholdMode`.
    public let minDelta: Float
    /// How `minDelta` is applied.
    public let thresholdMode: ThresholdMode
    /// The number of epochs after a reduction during which bad epochs are not counted.
    public let cooldown: Int
    /// The learning rate is never reduced below this.
    public let minimumLearningRate: Float
    /// Whether lower or higher metrics are better.
    public let mode: Mode
    /// Reductions smaller than this are skipped (PyTorch's `eps`).
    public let minimumChange: Float

    /// The best metric seen so far (+∞ for `.min`, −∞ for `.max` before the first update).
    public private(set) var best: Float
    /// The epochs since the last improvement that count towards `patience`.
    public private(set) var badEpochs = 0
    /// The epochs of cooldown left.
    public private(set) var cooldownRemaining = 0

    /// A plateau detector with PyTorch's defaults (factor 0.1, patience 10, relative threshold 1e-4).
    public init(factor: Float = 0.1, patience: Int = 10, minDelta: Float = 1e-4, cooldown: Int = 0,
                minimumLearningRate: Float = 0, mode: Mode = .min, thresholdMode: ThresholdMode = .relative,
                minimumChange: Float = 1e-8) {
        precondition(factor > 0 && factor < 1, "ReduceOnPlateau: factor must be in (0, 1), got \(factor)")
        precondition(patience >= 0, "ReduceOnPlateau: patience must not be negative, got \(patience)")
        precondition(cooldown >= 0, "ReduceOnPlateau: cooldown must not be negative, got \(cooldown)")
        precondition(minDelta >= 0, "ReduceOnPlateau: minDelta must not be negative, got \(minDelta)")
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        self.mode = mode
        self.thresholdMode = thresholdMode
        self.minimumChange = minimumChange
        best = mode == .min ? .infinity : -.infinity
    }

    /// Whether `metric` improves on `best` by more than `minDelta`.
    public func isImprovement(_ metric: Float) -> Bool {
        let value = Double(metric), best = Double(best), delta = Double(minDelta)
        switch (mode, thresholdMode) {
        case (.min, .relative): return value < best * (1 - delta)
        case (.min, .absolute): return value < best - delta
        case (.max, .relative): return value > best * (1 + delta)
        case (.max, .absolute): return value > best + delta
        }
    }

    /// Records this epoch's metric and returns the learning rate to use next (`current`, or reduced).
    public func update(metric: Float, current learningRate: Float) -> Float {
        if isImprovement(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownRemaining > 0 {
            cooldownRemaining -= 1
            badEpochs = 0
        }
        guard badEpochs > patience else { return learningRate }
        cooldownRemaining = cooldown
        badEpochs = 0
        let old = Double(learningRate)
        let reduced = Swift.max(old * Double(factor), Double(minimumLearningRate))
        return old - reduced > Double(minimumChange) ? Float(reduced) : learningRate
    }

    /// Puts back the state saved from another detector (to resume a run exactly).
    public func restore(best: Float, badEpochs: Int, cooldownRemaining: Int) {
        self.best = best
        self.badEpochs = badEpochs
        self.cooldownRemaining = cooldownRemaining
    }

    /// Forgets the best value, the bad epochs and the cooldown (for a new training run).
    public func reset() {
        best = mode == .min ? .infinity : -.infinity
        badEpochs = 0
        cooldownRemaining = 0
    }
}
