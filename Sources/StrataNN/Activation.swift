import StrataCore

/// An activation function, as given to `Dense(…, activation:)` and `Conv2D(…, activation:)`.
public enum Activation: Sendable, Equatable {
    /// The identity.
    case linear
    /// max(x, 0).
    case relu
    /// x, or slope·x below 0.
    case leakyRelu(negativeSlope: Float)
    /// x, or α(eˣ − 1) below 0.
    case elu(alpha: Float)
    /// x·Φ(x).
    case gelu
    /// 1 / (1 + e⁻ˣ).
    case sigmoid
    /// tanh(x).
    case tanh
    /// Softmax over the last axis.
    case softmax

    /// The function applied to `x`.
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: return x
        case .relu: return x.relu()
        case .leakyRelu(let slope): return x.leakyRelu(negativeSlope: slope)
        case .elu(let alpha): return x.elu(alpha: alpha)
        case .gelu: return x.gelu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .softmax: return x.softmax(axis: -1)
        }
    }
}
