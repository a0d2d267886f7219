import StrataCore

/// A building block of a model: it maps a batch `(N, …)` to a batch, may own parameters, and knows
/// the shape of its output for a given input shape (shapes here exclude the batch axis).
///
/// Layers are classes: a parameter is one object shared by the model, the optimizer and the tape.
/// A layer creates its parameters in `build(inputShape:generator:)`, called once by its container
/// with the input shape, as Keras does on first use.
public protocol Layer: AnyObject {
    /// The layer's unique name in its model (`dense_1`); containers assign one when it is empty.
    var name: String { get set }
    /// The class name shown by `summary()`, as Keras prints it (`Dense`, `Conv2D`).
    var typeName: String { get }
    /// The output shape for an input of `inputShape` (batch excluded); throws `LayerError` when the
    /// input cannot be handled.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    /// Creates the parameters for inputs of `inputShape` (batch excluded) and returns the output shape.
    func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int]
    /// The output for a batch; `training` switches dropout and batch statistics on.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// Trainable parameters, named relative to this layer (`kernel`, `bias`, `block.dense.kernel`).
    var parameters: [Parameter] { get }
    /// Non-trainable state saved with the weights (running statistics), named like parameters.
    var buffers: [Parameter] { get }
    /// The layers inside this one (for containers), in order.
    var sublayers: [any Layer] { get }
}

extension Layer {
    /// Layers without parameters build by checking the shape.
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        try outputShape(for: inputShape)
    }

    /// No parameters by default.
    public var parameters: [Parameter] { [] }
    /// No buffers by default.
    public var buffers: [Parameter] { [] }
    /// No sublayers by default.
    public var sublayers: [any Layer] { [] }

    /// The output in inference mode: `layer(x)`.
    public func callAsFunction(_ input: Tensor, training: Bool = false) -> Tensor {
        forward(input, training: training)
    }

    /// The layer's name in snake case, used for automatic names: `Conv2D` → `conv2d`.
    public var defaultNameStem: String {
        var stem = ""
        for (i, character) in typeName.enumerated() {
            if character.isUppercase, i > 0,
               let previous = stem.last, previous.isLowercase {
                stem.append("_")
            }
            stem.append(Character(character.lowercased()))
        }
        return stem
    }
}

/// An input shape that a layer cannot handle, or a layer used before it was built.
public struct LayerError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, naming the layer and the shapes.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) { self.description = description }

    /// The layer `name` of type `type` got `shape` but needs something else (`expected`).
    public static func incompatibleShape(_ layer: any Layer, got shape: [Int], expected: String) -> LayerError {
        LayerError("\(layer.name.isEmpty ? layer.typeName : layer.name) (\(layer.typeName)): input shape \(ShapeFormat.batched(shape)) is not valid: expected \(expected)")
    }
}

/// Formats shapes the way Keras prints them, with `None` for the batch axis.
public enum ShapeFormat {
    /// `(None, 28, 28)` for the per-example shape `[28, 28]`.
    public static func batched(_ shape: [Int]) -> String {
        "(" + (["None"] + shape.map(String.init)).joined(separator: ", ") + ")"
    }
}
