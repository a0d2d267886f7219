import Foundation

/// Multiplies the learning rate by `factorPerEpoch` every epoch: `initial · factorPerEpoch^epoch`
/// (PyTorch's `ExponentialLR(gamma: factorPerEpoch)` stepped once per epoch).
///
/// ```swift
/// let schedule = ExponentialDecay(initial: 1e-3, factorPerEpoch: 0.98)
/// ```
public struct ExponentialDecay: LearningRateSchedule, Sendable {
    /// The learning rate of epoch 0.
    public let initial: Float
    /// The factor applied after each epoch.
    public let factorPerEpoch: Float

    /// A schedule that decays by `factorPerEpoch` each epoch.
    public init(initial: Float, factorPerEpoch: Float) {
        self.initial = initial
        self.factorPerEpoch = factorPerEpoch
    }

    /// `initial · factorPerEpoch^epoch`.
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        Float(Double(initial) * pow(Double(factorPerEpoch), Double(Swift.max(epoch, 0))))
    }
}
