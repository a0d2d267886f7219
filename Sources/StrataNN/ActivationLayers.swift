import StrataCore

/// max(x, 0) as a layer.
public final class ReLU: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `ReLU`.
    public var typeName: String { "ReLU" }
    /// A ReLU layer.
    public init() {}
    /// Elementwise: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    /// max(x, 0).
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.relu() }
}

/// x, or `negativeSlope`·x below 0, as a layer (Keras's default slope 0.3).
public final class LeakyReLU: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `LeakyReLU`.
    public var typeName: String { "LeakyReLU" }
    /// The slope below zero.
    public let negativeSlope: Float
    /// A leaky ReLU with the given slope below zero.
    public init(negativeSlope: Float = 0.3) { self.negativeSlope = negativeSlope }
    /// Elementwise: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    /// x, or slope·x below 0.
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
}

/// x, or α(eˣ − 1) below 0, as a layer.
public final class ELU: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `ELU`.
    public var typeName: String { "ELU" }
    /// The scale of the negative part.
    public let alpha: Float
    /// An ELU with the given α.
    public init(alpha: Float = 1) { self.alpha = alpha }
    /// Elementwise: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    /// x, or α(eˣ − 1) below 0.
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.elu(alpha: alpha) }
}

/// x·Φ(x) as a layer.
public final class GELU: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `GELU`.
    public var typeName: String { "GELU" }
    /// A GELU layer.
    public init() {}
    /// Elementwise: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    /// x·Φ(x).
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.gelu() }
}

/// The logistic function as a layer.
public final class Sigmoid: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Sigmoid`.
    public var typeName: String { "Sigmoid" }
    /// A sigmoid layer.
    public init() {}
    /// Elementwise: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    /// 1 / (1 + e⁻ˣ).
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.sigmoid() }
}

/// tanh as a layer.
public final class Tanh: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Tanh`.
    public var typeName: String { "Tanh" }
    /// A tanh layer.
    public init() {}
    /// Elementwise: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    /// tanh(x).
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.tanh() }
}

/// Softmax over an axis (the last by default) as a layer.
public final class Softmax: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Softmax`.
    public var typeName: String { "Softmax" }
    /// The axis of the input (batch included) that sums to one.
    public let axis: Int
    /// A softmax over `axis` (negative counts from the end).
    public init(axis: Int = -1) { self.axis = axis }
    /// Elementwise over rows: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    /// exp(x) / Σ exp(x) along the axis.
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.softmax(axis: axis) }
}
