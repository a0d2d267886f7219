import Foundation

/// Half a cosine from `initial` down to `minimum` over `totalSteps` steps, then `minimum`:
/// `minimum + (initial − minimum) · (1 + cos(π · step / totalSteps)) / 2`.
///
/// This is PyTorch's `CosineAnnealingLR(T_max: totalSteps, eta_min: minimum)` stepped once per
/// training step, for steps `0...totalSteps`. Past `totalSteps` PyTorch's rate climbs back up (the
/// cosine is periodic); here it stays at `minimum`, which is what a decay is meant to do.
///
/// ```swift
/// let schedule = CosineDecay(initial: 0.1, totalSteps: 10 * stepsPerEpoch, minimum: 1e-4)
/// ```
public struct CosineDecay: LearningRateSchedule, Sendable {
    /// The learning rate at step 0.
    public let initial: Float
    /// The number of steps the decay takes.
    public let totalSteps: Int
    /// The learning rate at `totalSteps` and after.
    public let minimum: Float

    /// A cosine decay from `initial` to `minimum` (default 0) over `totalSteps` steps.
    public init(initial: Float, totalSteps: Int, minimum: Float = 0) {
        precondition(totalSteps >= 1, "CosineDecay: totalSteps must be at least 1, got \(totalSteps)")
        self.initial = initial
        self.totalSteps = totalSteps
        self.minimum = minimum
    }

    /// The rate at global step `step`; `epoch` and `stepsPerEpoch` are not used.
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        let progress = Double(Swift.min(Swift.max(step, 0), totalSteps)) / Double(totalSteps)
        let low = Double(minimum)
        return Float(low + (Double(initial) - low) * (1 + cos(Double.pi * progress)) / 2)
    }
}
