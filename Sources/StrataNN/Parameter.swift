import StrataCore

/// A trainable tensor with a stable name, such as `dense_1.kernel`.
///
/// Names come from the model's structure (not from object identity), so checkpoints and optimizer
/// state written by one run load into another run of the same architecture.
public struct Parameter {
    /// The dotted path of the parameter in its model: layer name, then the parameter's own name.
    public let name: String
    /// The values; `tensor.grad` holds the gradient after `backward()`.
    public let tensor: Tensor

    /// A named parameter.
    public init(name: String, tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}

extension Array where Element == Parameter {
    /// The parameters with `prefix.` put in front of every name.
    public func prefixed(_ prefix: String) -> [Parameter] {
        map { Parameter(name: prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", tensor: $0.tensor) }
    }

    /// The total number of scalar values.
    public var scalarCount: Int { reduce(0) { $0 + $1.tensor.count } }

    /// Clears every gradient (before the next backward pass).
    public func zeroGradients() { forEach { $0.tensor.zeroGrad() } }
}
