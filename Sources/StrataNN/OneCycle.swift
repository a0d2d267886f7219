import Foundation

/// The one-cycle policy (Smith & Topin): the learning rate rises from `maxLearningRate / initialDivisor`
/// to `maxLearningRate` over the first `warmupFraction` of `totalSteps`, then falls to
/// `maxLearningRate / initialDivisor / finalDivisor` by the last step, both along half cosines.
///
/// This is PyTorch's `OneCycleLR(max_lr:, total_steps:, pct_start: warmupFraction, div_factor:
/// initialDivisor, final_div_factor: finalDivisor, anneal_strategy: "cos", three_phase: false)` stepped
/// once per training step. The warm-up ends at step `warmupFraction · totalSteps − 1` and the decay at
/// step `totalSteps − 1`; later steps keep the final rate (PyTorch raises an error there). Momentum
/// cycling, which PyTorch also does by default, is not part of a learning-rate schedule.
///
/// ```swift
/// let schedule = OneCycle(maxLearningRate: 0.01, totalSteps: epochs * stepsPerEpoch)
/// ```
public struct OneCycle: LearningRateSchedule, Sendable {
    /// The learning rate at the end of the warm-up.
    public let maxLearningRate: Float
    /// The number of steps of the whole cycle.
    public let totalSteps: Int
    /// The fraction of `totalSteps` spent rising (PyTorch's `pct_start`).
    public let warmupFraction: Float
    /// The starting rate is `maxLearningRate / initialDivisor` (PyTorch's `div_factor`).
    public let initialDivisor: Float
    /// The final rate is the starting rate divided by this (PyTorch's `final_div_factor`).
    public let finalDivisor: Float

    /// A one-cycle schedule with PyTorch's defaults (warm-up 30 %, divisors 25 and 10⁴).
    public init(maxLearningRate: Float, totalSteps: Int, warmupFraction: Float = 0.3, initialDivisor: Float = 25,
                finalDivisor: Float = 1e4) {
        precondition(totalSteps >= 2, "OneCycle: totalSteps must be at least 2, got \(totalSteps)")
        precondition(warmupFraction > 0 && warmupFraction < 1,
                     "OneCycle: warmupFraction must be in (0, 1), got \(warmupFraction)")
        let warmupEnd = Double(warmupFraction) * Double(totalSteps) - 1
        precondition(warmupEnd > 0 && warmupEnd < Double(totalSteps - 1),
                     "OneCycle: warmupFraction \(warmupFraction) of \(totalSteps) steps leaves no warm-up or no decay")
        precondition(initialDivisor > 0 && finalDivisor > 0, "OneCycle: divisors must be positive")
        self.maxLearningRate = maxLearningRate
        self.totalSteps = totalSteps
        self.warmupFraction = warmupFraction
        self.initialDivisor = initialDivisor
        self.finalDivisor = finalDivisor
    }

    /// The fewest `totalSteps` a cycle with `warmupFraction` can have (4 for the default 0.3): the
    /// warm-up must end after step 0. `warmupFraction` must be in (0, 1).
    public static func minimumTotalSteps(warmupFraction: Float = 0.3) -> Int {
        precondition(warmupFraction > 0 && warmupFraction < 1,
                     "OneCycle: warmupFraction must be in (0, 1), got \(warmupFraction)")
        var steps = Swift.max(2, Int((1 / Double(warmupFraction)).rounded(.down)))
        while !(Double(warmupFraction) * Double(steps) - 1 > 0) { steps += 1 }
        return steps
    }

    /// The rate at the first step.
    public var initialLearningRate: Float { Float(Double(maxLearningRate) / Double(initialDivisor)) }
    /// The rate at the last step.
    public var finalLearningRate: Float {
        Float(Double(maxLearningRate) / Double(initialDivisor) / Double(finalDivisor))
    }

    /// The rate at global step `step`; `epoch` and `stepsPerEpoch` are not used.
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        let peak = Double(maxLearningRate)
        let start = peak / Double(initialDivisor)
        let end = start / Double(finalDivisor)
        let warmupEnd = Double(warmupFraction) * Double(totalSteps) - 1
        let last = Double(totalSteps - 1)
        let s = Double(Swift.min(Swift.max(step, 0), totalSteps - 1))
        if s <= warmupEnd {
            return Float(Self.cosineAnneal(from: start, to: peak, fraction: s / warmupEnd))
        }
        return Float(Self.cosineAnneal(from: peak, to: end, fraction: (s - warmupEnd) / (last - warmupEnd)))
    }

    /// `to + (from − to) · (1 + cos(π · fraction)) / 2`: `from` at 0, `to` at 1 (PyTorch's `_annealing_cos`).
    static func cosineAnneal(from start: Double, to end: Double, fraction: Double) -> Double {
        end + (start - end) / 2 * (cos(Double.pi * fraction) + 1)
    }
}
