import StrataCore

/// A block with a shortcut: `block(x) + shortcut(x)`, where the shortcut is the identity or a
/// projection (for example a 1×1 `Conv2D` with stride 2 when the block changes the shape).
///
/// ```swift
/// Residual(shortcut: Conv2D(32, kernelSize: 1, strides: 2)) {
///     Conv2D(32, kernelSize: 3, strides: 2, padding: .same); BatchNormalization(); ReLU()
///     Conv2D(32, kernelSize: 3, padding: .same); BatchNormalization()
/// }
/// ```
public final class Residual: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Residual`.
    public var typeName: String { "Residual" }
    /// The main path.
    public let block: any Layer
    /// The projection on the shortcut path, or nil for the identity.
    public let shortcut: (any Layer)?

    /// A residual block around `block` with an identity or projection shortcut.
    public init(_ block: any Layer, shortcut: (any Layer)? = nil) {
        self.block = block
        self.shortcut = shortcut
    }

    /// A residual block around the listed layers.
    public convenience init(shortcut: (any Layer)? = nil, @LayerBuilder _ content: () -> [any Layer]) {
        self.init(Sequential(content()), shortcut: shortcut)
    }

    /// The block's output shape, which must equal the shortcut's.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let main = try block.outputShape(for: inputShape)
        let side = try shortcut?.outputShape(for: inputShape) ?? inputShape
        guard main == side else {
            throw LayerError("\(name) (Residual): the block gives \(ShapeFormat.batched(main)) but the shortcut gives \(ShapeFormat.batched(side)); add a projection shortcut")
        }
        return main
    }

    /// Builds the block and the shortcut on the input shape.
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        LayerNaming.assignNames(in: self)
        _ = try outputShape(for: inputShape)
        let main = try block.build(inputShape: inputShape, generator: &generator)
        _ = try shortcut?.build(inputShape: inputShape, generator: &generator)
        return main
    }

    /// block(x) + shortcut(x).
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        forward(input, training: training, relu: false)
    }

    /// block(x) + shortcut(x), then with `relu` max(·, 0) computed in the sum's buffer
    /// (`Tensor.addReLU`), as a following `ReLU` layer gives; `Sequential` fuses the two this way.
    public func forward(_ input: Tensor, training: Bool, relu: Bool) -> Tensor {
        let main = block.forward(input, training: training)
        let side = shortcut?.forward(input, training: training) ?? input
        return relu ? Tensor.addReLU(main, side) : main + side
    }

    /// The block's parameters, then the shortcut's.
    public var parameters: [Parameter] {
        block.parameters.prefixed(block.name) + (shortcut.map { $0.parameters.prefixed($0.name) } ?? [])
    }
    /// The block's buffers, then the shortcut's.
    public var buffers: [Parameter] {
        block.buffers.prefixed(block.name) + (shortcut.map { $0.buffers.prefixed($0.name) } ?? [])
    }
    /// The block and the shortcut.
    public var sublayers: [any Layer] { [block] + (shortcut.map { [$0] } ?? []) }
}
