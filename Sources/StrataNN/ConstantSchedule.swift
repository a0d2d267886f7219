/// The same learning rate at every step.
public struct ConstantSchedule: LearningRateSchedule, Sendable {
    /// The learning rate.
    public let value: Float

    /// A schedule that always returns `value`.
    public init(_ value: Float) {
        self.value = value
    }

    /// Returns `value`.
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float { value }
}
