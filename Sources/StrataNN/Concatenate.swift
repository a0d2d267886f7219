import StrataCore

/// Parallel branches on the same input whose outputs are joined along an axis (channels by
/// default), as in an Inception module.
///
/// ```swift
/// Concatenate {
///     Conv2D(16, kernelSize: 1, padding: .same)
///     Sequential { Conv2D(16, kernelSize: 1); Conv2D(24, kernelSize: 3, padding: .same) }
///     Sequential { MaxPool2D(3, strides: 1, padding: .same); Conv2D(8, kernelSize: 1) }
/// }
/// ```
public final class Concatenate: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Concatenate`.
    public var typeName: String { "Concatenate" }
    /// The branches, each applied to the same input.
    public let branches: [any Layer]
    /// The per-example axis the outputs are joined along (0: channels of `(C, H, W)`).
    public let axis: Int

    /// Branches joined along `axis` of each example's shape.
    public init(axis: Int = 0, _ branches: [any Layer]) {
        precondition(!branches.isEmpty, "Concatenate: needs at least one branch")
        self.branches = branches
        self.axis = axis
    }

    /// Branches listed in the closure, joined along `axis`.
    public convenience init(axis: Int = 0, @LayerBuilder _ content: () -> [any Layer]) {
        self.init(axis: axis, content())
    }

    /// The branches' shapes with the join axis summed; the other axes must agree.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let shapes = try branches.map { try $0.outputShape(for: inputShape) }
        var result = shapes[0]
        guard axis >= 0 && axis < result.count else {
            throw LayerError("\(name) (Concatenate): axis \(axis) is out of range for branch output \(ShapeFormat.batched(result))")
        }
        for shape in shapes.dropFirst() {
            var other = shape
            guard other.count == result.count else {
                throw LayerError("\(name) (Concatenate): branch outputs \(shapes.map(ShapeFormat.batched)) differ in rank")
            }
            other[axis] = result[axis]
            guard other == result else {
                throw LayerError("\(name) (Concatenate): branch outputs \(shapes.map(ShapeFormat.batched)) differ outside axis \(axis)")
            }
            result[axis] += shape[axis]
        }
        return result
    }

    /// Builds every branch on the input shape.
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        LayerNaming.assignNames(in: self)
        let output = try outputShape(for: inputShape)
        for branch in branches { _ = try branch.build(inputShape: inputShape, generator: &generator) }
        return output
    }

    /// The branches' outputs joined along the axis.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        Tensor.concatenate(branches.map { $0.forward(input, training: training) }, axis: axis + 1)
    }

    /// Every branch's parameters, prefixed with its name.
    public var parameters: [Parameter] { branches.flatMap { $0.parameters.prefixed($0.name) } }
    /// Every branch's buffers, prefixed with its name.
    public var buffers: [Parameter] { branches.flatMap { $0.buffers.prefixed($0.name) } }
    /// The branches.
    public var sublayers: [any Layer] { branches }
}

/// A layer from a function of the batch, for operations no layer provides.
public final class Lambda: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Lambda`.
    public var typeName: String { "Lambda" }
    private let function: (Tensor) -> Tensor
    private let shapeFunction: ([Int]) -> [Int]

    /// A layer computing `function` on each batch; `outputShape` maps the per-example input shape to
    /// the output's (the identity by default).
    public init(outputShape: @escaping ([Int]) -> [Int] = { $0 }, _ function: @escaping (Tensor) -> Tensor) {
        self.function = function
        self.shapeFunction = outputShape
    }

    /// The shape given by the `outputShape` function.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { shapeFunction(inputShape) }

    /// The function applied to the batch.
    public func forward(_ input: Tensor, training: Bool) -> Tensor { function(input) }
}
