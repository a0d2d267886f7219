/// A learning rate as a function of training progress; the training loop sets
/// `optimizer.learningRate` from it before every step.
///
/// `epoch` is 0-based, `step` is the 0-based global step (counted across epochs) and `stepsPerEpoch`
/// the number of steps in one epoch. Epoch-wise schedules (`StepDecay`, `ExponentialDecay`) look only at
/// `epoch`; step-wise ones (`CosineDecay`, `OneCycle`) only at `step`. The value for step `s` equals
/// PyTorch's learning rate after `s` calls of its scheduler's `step()` (after `epoch` calls for the
/// epoch-wise ones).
///
/// ```swift
/// let schedule = CosineDecay(initial: 0.1, totalSteps: epochs * stepsPerEpoch)
/// optimizer.learningRate = schedule.learningRate(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
/// ```
///
/// The schedules: `ConstantSchedule`, `StepDecay`, `ExponentialDecay`, `CosineDecay`, `OneCycle`.
/// `ReduceOnPlateau` depends on a measured metric and is therefore a separate, stateful class.
public protocol LearningRateSchedule {
    /// The learning rate for global step `step` (0-based) of epoch `epoch` (0-based).
    func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float
}
