import StrataCore

/// The mean of (prediction − target)².
public struct MeanSquaredError: Loss {
    /// `mean_squared_error`.
    public var name: String { "mean_squared_error" }
    /// A mean squared error.
    public init() {}
    /// The mean squared difference over all elements.
    public func callAsFunction(predictions: Tensor, targets: Tensor) -> Tensor {
        Tensor.meanSquaredError(predictions: predictions, targets: targets.reshaped(predictions.shape))
    }
}

/// The mean of |prediction − target|.
public struct MeanAbsoluteError: Loss {
    /// `mean_absolute_error`.
    public var name: String { "mean_absolute_error" }
    /// A mean absolute error.
    public init() {}
    /// The mean absolute difference over all elements.
    public func callAsFunction(predictions: Tensor, targets: Tensor) -> Tensor {
        (predictions - targets.reshaped(predictions.shape)).abs().mean()
    }
}

/// The Huber loss: quadratic for errors up to `delta`, linear beyond (½e² or δ(|e| − ½δ)).
public struct Huber: Loss {
    /// `huber`.
    public var name: String { "huber" }
    /// Where the loss turns from quadratic to linear.
    public let delta: Float
    /// A Huber loss with the given threshold.
    public init(delta: Float = 1) {
        precondition(delta > 0, "Huber: delta must be positive, got \(delta)")
        self.delta = delta
    }
    /// The mean Huber loss over all elements.
    public func callAsFunction(predictions: Tensor, targets: Tensor) -> Tensor {
        let error = (predictions - targets.reshaped(predictions.shape)).abs()
        let quadratic = error.clamped(max: delta)
        let linear = error - quadratic
        return (quadratic.squared() * 0.5 + linear * delta).mean()
    }
}
