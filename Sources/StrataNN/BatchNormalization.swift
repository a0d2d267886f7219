import StrataCore

/// Batch normalization over the channel axis of `(N, C, H, W)` or the feature axis of `(N, C)`
/// batches, with a learned scale (`gamma`) and shift (`beta`).
///
/// While training it normalizes with the batch's statistics and updates the moving statistics;
/// otherwise it uses the moving statistics. Defaults are Keras's: `momentum` 0.99 means
/// `moving = 0.99 · moving + 0.01 · batch`, and `epsilon` is 1e-3.
public final class BatchNormalization: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `BatchNormalization`.
    public var typeName: String { "BatchNormalization" }
    /// The weight of the old moving statistics in each update (Keras convention).
    public let momentum: Float
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// The scale `(C)`, created by `build`.
    public private(set) var gamma: Tensor?
    /// The shift `(C)`, created by `build`.
    public private(set) var beta: Tensor?
    /// The moving mean `(C)` (not trained; saved with the weights).
    public private(set) var movingMean: Tensor?
    /// The moving variance `(C)` (not trained; saved with the weights).
    public private(set) var movingVariance: Tensor?
    /// In data-parallel training with synchronized batch norm: sums a buffer over the processes
    /// (an allreduce), so training normalizes with the statistics of the global batch; nil (the
    /// default): each process normalizes with its own batch's statistics.
    public var synchronization: ((UnsafeMutableBufferPointer<Float>) -> Void)?

    /// A batch normalization layer.
    public init(momentum: Float = 0.99, epsilon: Float = 1e-3) {
        precondition(momentum >= 0 && momentum <= 1, "BatchNormalization: momentum must be in [0, 1], got \(momentum)")
        precondition(epsilon > 0, "BatchNormalization: epsilon must be positive, got \(epsilon)")
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// `(C, H, W)` or `(C)`: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 || inputShape.count == 1 else {
            throw LayerError.incompatibleShape(self, got: inputShape,
                                               expected: "(None, channels, height, width) or (None, features)")
        }
        return inputShape
    }

    /// Creates gamma (ones), beta (zeros), the moving mean (zeros) and the moving variance (ones).
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        let output = try outputShape(for: inputShape)
        let channels = inputShape[0]
        gamma = Initializer.ones.make([channels], generator: &generator)
        beta = Initializer.zeros.make([channels], generator: &generator)
        movingMean = Tensor.zeros([channels])
        movingVariance = Tensor.ones([channels])
        return output
    }

    /// The normalized batch (batch statistics while training, moving statistics otherwise).
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        forward(input, training: training, relu: false)
    }

    /// The normalized batch, through max(·, 0) in the same pass with `relu` (what `Sequential` uses
    /// for a `BatchNormalization` followed by a `ReLU`).
    public func forward(_ input: Tensor, training: Bool, relu: Bool) -> Tensor {
        guard let gamma, let beta, let movingMean, let movingVariance else {
            preconditionFailure("BatchNormalization \(name): forward before build(inputShape:)")
        }
        if training, let synchronization {
            return input.syncBatchNorm2d(gamma: gamma, beta: beta, runningMean: movingMean, runningVar: movingVariance,
                                         momentum: 1 - momentum, epsilon: epsilon, relu: relu, sum: synchronization)
        }
        return input.batchNorm2d(gamma: gamma, beta: beta, runningMean: movingMean, runningVar: movingVariance,
                                 training: training, momentum: 1 - momentum, epsilon: epsilon, relu: relu)
    }

    /// `gamma`, then `beta`.
    public var parameters: [Parameter] {
        [gamma.map { Parameter(name: "gamma", tensor: $0) }, beta.map { Parameter(name: "beta", tensor: $0) }]
            .compactMap { $0 }
    }

    /// `moving_mean`, then `moving_variance` (Keras's names).
    public var buffers: [Parameter] {
        [movingMean.map { Parameter(name: "moving_mean", tensor: $0) },
         movingVariance.map { Parameter(name: "moving_variance", tensor: $0) }].compactMap { $0 }
    }
}
