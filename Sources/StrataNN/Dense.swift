import StrataCore

/// A fully connected layer on the last axis: `activation(x·kernel + bias)`.
///
/// Like Keras's `Dense`, it acts on the last axis only, so `Dense(28)` on a `(N, 28, 28)` batch maps
/// each row of each image and gives `(N, 28, 28)`. The kernel is `(in, units)`.
public final class Dense: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Dense`.
    public var typeName: String { "Dense" }
    /// The size of the output's last axis.
    public let units: Int
    /// The function applied to the affine map.
    public let activation: Activation
    /// Whether a bias is added.
    public let useBias: Bool
    /// How the kernel is initialized (Glorot uniform by default, as in Keras).
    public let kernelInitializer: Initializer
    /// How the bias is initialized (zeros by default).
    public let biasInitializer: Initializer
    /// The weights `(in, units)`, created by `build`.
    public private(set) var kernel: Tensor?
    /// The bias `(units)`, created by `build` when `useBias`.
    public private(set) var bias: Tensor?

    /// A dense layer with `units` outputs.
    public init(_ units: Int, activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        precondition(units > 0, "Dense: units must be positive, got \(units)")
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
    }

    /// `(…, in)` → `(…, units)`.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let last = inputShape.last, last > 0 else {
            throw LayerError.incompatibleShape(self, got: inputShape, expected: "at least one non-empty axis")
        }
        return inputShape.dropLast() + [units]
    }

    /// Creates the kernel `(in, units)` and the bias `(units)`.
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        let output = try outputShape(for: inputShape)
        kernel = kernelInitializer.make([inputShape[inputShape.count - 1], units], generator: &generator)
        bias = useBias ? biasInitializer.make([units], generator: &generator) : nil
        return output
    }

    /// activation(x·kernel + bias) on the last axis.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard let kernel else { preconditionFailure("Dense \(name): forward before build(inputShape:)") }
        if case .relu = activation { return input.linear(weight: kernel, bias: bias, relu: true) }
        return activation.apply(input.linear(weight: kernel, bias: bias))
    }

    /// `kernel`, then `bias`.
    public var parameters: [Parameter] {
        [kernel.map { Parameter(name: "kernel", tensor: $0) }, bias.map { Parameter(name: "bias", tensor: $0) }]
            .compactMap { $0 }
    }
}
