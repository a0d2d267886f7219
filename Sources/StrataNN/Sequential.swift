import StrataCore

/// Builds the `[any Layer]` of a container from a list of layer expressions.
@resultBuilder
public enum LayerBuilder {
    /// One layer.
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    /// Several layers made in a loop or a helper.
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    /// The layers of each line, in order.
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    /// Layers under `if`.
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    /// Layers under `if … else`.
    public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
    /// Layers under `if … else`.
    public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
    /// Layers made in a `for` loop.
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}

/// Layers applied one after another.
///
/// ```swift
/// let net = Sequential {
///     Dense(512, activation: .relu)
///     Dropout(0.2)
///     Dense(10)
/// }
/// ```
public final class Sequential: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Sequential`.
    public var typeName: String { "Sequential" }
    /// The layers, in the order they are applied.
    public let layers: [any Layer]
    /// The output shape of each layer (batch excluded), known after `build`.
    public private(set) var outputShapes: [[Int]] = []

    /// A sequence of the given layers.
    public init(_ layers: [any Layer]) { self.layers = layers }

    /// A sequence of the layers listed in the closure.
    public convenience init(@LayerBuilder _ content: () -> [any Layer]) { self.init(content()) }

    /// The shape after every layer.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try layers.reduce(inputShape) { shape, layer in try layer.outputShape(for: shape) }
    }

    /// Names unnamed layers, then builds each layer on the previous one's output shape.
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        LayerNaming.assignNames(in: self)
        var shape = inputShape
        outputShapes = []
        for layer in layers {
            shape = try layer.build(inputShape: shape, generator: &generator)
            outputShapes.append(shape)
        }
        return shape
    }

    /// Whether a `BatchNormalization` directly followed by a `ReLU` runs as one fused op (true; false
    /// runs them one by one, for comparisons such as `strata-bench --unfused`).
    public nonisolated(unsafe) static var fusesBatchNormReLU = true

    /// Whether a `Residual` directly followed by a `ReLU` computes the ReLU in the sum's buffer
    /// (`Tensor.addReLU`; true), keeping one activation instead of two; false runs them one by one.
    public nonisolated(unsafe) static var fusesResidualReLU = true

    /// Each layer applied to the previous one's output. A `BatchNormalization` or a `Residual` directly
    /// followed by a `ReLU` runs as one fused op (the same values and gradients, one pass fewer each way).
    /// In training, each run of convolutions, batch normalizations, ReLUs, poolings and residual blocks of
    /// these runs as one `BlockedTrainingSegment` (`TrainingSegmentCompiler`; the same values and gradients
    /// within rounding), under `Precision.with(.bfloat16)` too where bfloat16 is native (activations stored in
    /// bfloat16; elsewhere the layers run one by one, in bfloat16).
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var x = input
        var index = 0
        while index < layers.count {
            // Segments run bfloat16 only where it is native; elsewhere bfloat16 runs layer by layer.
            if training, TrainingSegmentCompiler.isEnabled, BlockedTrainingSegment.precision == Precision.current,
               x.rank == 4,
               let (segment, end) = TrainingSegmentCompiler.segment(layers, from: index) {
                x = segment.forward(x)
                index = end
            } else if Sequential.fusesBatchNormReLU, let normalization = layers[index] as? BatchNormalization, index + 1 < layers.count,
               layers[index + 1] is ReLU {
                x = normalization.forward(x, training: training, relu: true)
                index += 2
            } else if Sequential.fusesResidualReLU, let residual = layers[index] as? Residual, index + 1 < layers.count,
                      layers[index + 1] is ReLU {
                x = residual.forward(x, training: training, relu: true)
                index += 2
            } else {
                x = layers[index].forward(x, training: training)
                index += 1
            }
        }
        return x
    }

    /// Every layer's parameters, prefixed with the layer's name.
    public var parameters: [Parameter] { layers.flatMap { $0.parameters.prefixed($0.name) } }
    /// Every layer's buffers, prefixed with the layer's name.
    public var buffers: [Parameter] { layers.flatMap { $0.buffers.prefixed($0.name) } }
    /// The layers.
    public var sublayers: [any Layer] { layers }
}

/// Gives every unnamed layer in a tree a unique Keras-style name: `dense`, `dense_1`, `conv2d`, ….
public enum LayerNaming {
    /// Names the unnamed layers below (and including) `root`, keeping the names already given.
    public static func assignNames(in root: any Layer) {
        var all: [any Layer] = []
        var stack: [any Layer] = [root]
        while let layer = stack.popLast() {
            all.append(layer)
            stack.append(contentsOf: layer.sublayers.reversed())
        }
        var taken = Set(all.map(\.name).filter { !$0.isEmpty })
        for layer in all where layer.name.isEmpty {
            let stem = layer.defaultNameStem
            var candidate = stem
            var counter = 0
            while taken.contains(candidate) {
                counter += 1
                candidate = "\(stem)_\(counter)"
            }
            layer.name = candidate
            taken.insert(candidate)
        }
    }
}
