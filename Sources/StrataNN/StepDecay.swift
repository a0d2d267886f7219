import Foundation

/// Multiplies the learning rate by `factor` every `everyEpochs` epochs: `initial · factor^⌊epoch / everyEpochs⌋`
/// (PyTorch's `StepLR(step_size: everyEpochs, gamma: factor)` stepped once per epoch).
///
/// ```swift
/// let schedule = StepDecay(initial: 0.1, factor: 0.5, everyEpochs: 10)   // 0.1, then 0.05 from epoch 10, …
/// ```
public struct StepDecay: LearningRateSchedule, Sendable {
    /// The learning rate of the first `everyEpochs` epochs.
    public let initial: Float
    /// The factor applied at each drop.
    public let factor: Float
    /// The number of epochs between drops.
    public let everyEpochs: Int

    /// A schedule that drops by `factor` every `everyEpochs` epochs.
    public init(initial: Float, factor: Float, everyEpochs: Int) {
        precondition(everyEpochs >= 1, "StepDecay: everyEpochs must be at least 1, got \(everyEpochs)")
        self.initial = initial
        self.factor = factor
        self.everyEpochs = everyEpochs
    }

    /// `initial · factor^⌊epoch / everyEpochs⌋`.
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        let drops = Swift.max(epoch, 0) / everyEpochs
        return Float(Double(initial) * pow(Double(factor), Double(drops)))
    }
}
