/// A linear warm-up before another schedule: for the first `warmupSteps` steps the rate rises in a
/// straight line from `startFactor` × the schedule's first rate to that rate, then the schedule runs as if
/// training had started at step `warmupSteps`.
///
/// At global step `s < warmupSteps` the rate is `r₀ · (startFactor + (1 − startFactor) · s / warmupSteps)`,
/// where `r₀` is `schedule`'s rate at step 0. From step `warmupSteps` on, `schedule` sees step
/// `s − warmupSteps` and epoch `(s − warmupSteps) / stepsPerEpoch`, so a decay over `totalSteps` should be
/// built over the steps left after the warm-up.
///
/// This is PyTorch's `SequentialLR([LinearLR(start_factor: startFactor, total_iters: warmupSteps), main],
/// milestones: [warmupSteps])` stepped once per training step (an epoch-wise `main`, such as `StepDecay`
/// every `k` epochs, corresponds there to a `StepLR` of `k · stepsPerEpoch` steps).
///
/// ```swift
/// let warmup = 2 * stepsPerEpoch
/// let schedule = LinearWarmup(CosineDecay(initial: 0.1, totalSteps: epochs * stepsPerEpoch - warmup),
///                             warmupSteps: warmup)
/// ```
public struct LinearWarmup: LearningRateSchedule {
    /// The schedule that takes over after the warm-up.
    public let schedule: any LearningRateSchedule
    /// The number of warm-up steps (at least 1).
    public let warmupSteps: Int
    /// The fraction of the schedule's first rate that the warm-up starts from, in (0, 1].
    public let startFactor: Float

    /// The usual starting fraction: 1 % of the target rate (torchvision's classification recipes).
    public static let defaultStartFactor: Float = 0.01

    /// A warm-up of `warmupSteps` steps from `startFactor` × `schedule`'s first rate, then `schedule`.
    public init(_ schedule: any LearningRateSchedule, warmupSteps: Int, startFactor: Float = LinearWarmup.defaultStartFactor) {
        precondition(warmupSteps >= 1, "LinearWarmup: warmupSteps must be at least 1, got \(warmupSteps)")
        precondition(startFactor > 0 && startFactor <= 1, "LinearWarmup: startFactor must be in (0, 1], got \(startFactor)")
        self.schedule = schedule
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
    }

    /// The rate at global step `step`: on the warm-up line, or `schedule`'s rate shifted by the warm-up.
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        if step < warmupSteps {
            let target = Double(schedule.learningRate(epoch: 0, step: 0, stepsPerEpoch: stepsPerEpoch))
            let factor = Double(startFactor) + (1 - Double(startFactor)) * Double(Swift.max(step, 0)) / Double(warmupSteps)
            return Float(target * factor)
        }
        let shifted = step - warmupSteps
        return schedule.learningRate(epoch: shifted / Swift.max(stepsPerEpoch, 1), step: shifted,
                                     stepsPerEpoch: stepsPerEpoch)
    }
}
