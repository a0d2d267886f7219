import StrataCore

/// How a parameter's first values are drawn. Keras's defaults: Glorot uniform for kernels, zeros for biases.
public enum Initializer: Sendable, Equatable {
    /// All zeros.
    case zeros
    /// All ones.
    case ones
    /// Every value set to the constant.
    case constant(Float)
    /// U(±√(6 / (fanIn + fanOut))).
    case glorotUniform
    /// Truncated normal with σ = √(2 / (fanIn + fanOut)).
    case glorotNormal
    /// Truncated normal with σ = √(2 / fanIn), for ReLU nets.
    case heNormal
    /// U(±√(6 / fanIn)).
    case heUniform
    /// Normal with the given standard deviation.
    case normal(standardDeviation: Float)
    /// U(±limit).
    case uniform(limit: Float)

    /// A new tensor of `shape` drawn from this initializer, marked as requiring gradients.
    public func make(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let tensor: Tensor
        switch self {
        case .zeros: tensor = Tensor.zeros(shape)
        case .ones: tensor = Tensor.ones(shape)
        case .constant(let value): tensor = Tensor.full(shape, value: value)
        case .glorotUniform: tensor = Tensor.glorotUniform(shape, generator: &generator)
        case .glorotNormal: tensor = Tensor.glorotNormal(shape, generator: &generator)
        case .heNormal: tensor = Tensor.heNormal(shape, generator: &generator)
        case .heUniform: tensor = Tensor.heUniform(shape, generator: &generator)
        case .normal(let deviation):
            tensor = Tensor.randomNormal(shape, standardDeviation: deviation, generator: &generator)
        case .uniform(let limit):
            tensor = Tensor.randomUniform(shape, lower: -limit, upper: limit, generator: &generator)
        }
        tensor.requiresGrad = true
        return tensor
    }
}
