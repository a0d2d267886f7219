import StrataCore

/// Flattens every axis after the batch: `(N, C, H, W)` → `(N, C·H·W)`.
public final class Flatten: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Flatten`.
    public var typeName: String { "Flatten" }
    /// A flatten layer.
    public init() {}
    /// `(…)` → `(product)`.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { [inputShape.reduce(1, *)] }
    /// The batch with one axis per example.
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.flattened(from: 1) }
}

/// Gives each example a new shape with the same number of elements (one size may be −1).
public final class Reshape: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Reshape`.
    public var typeName: String { "Reshape" }
    /// The per-example target shape.
    public let targetShape: [Int]
    /// A reshape to `targetShape` (batch excluded).
    public init(_ targetShape: [Int]) { self.targetShape = targetShape }

    /// The target shape with −1 resolved; throws when the element counts differ.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let count = inputShape.reduce(1, *)
        var resolved = targetShape
        let unknown = resolved.indices.filter { resolved[$0] == -1 }
        if unknown.count == 1 {
            let known = resolved.filter { $0 != -1 }.reduce(1, *)
            if known > 0 && count % known == 0 { resolved[unknown[0]] = count / known }
        }
        guard unknown.count <= 1, resolved.allSatisfy({ $0 > 0 }), resolved.reduce(1, *) == count else {
            throw LayerError.incompatibleShape(self, got: inputShape, expected: "\(count) elements to fit \(ShapeFormat.batched(targetShape))")
        }
        return resolved
    }

    /// The batch reshaped per example.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        input.reshaped([input.shape[0]] + targetShape)
    }
}

/// Randomly zeroes inputs with probability `rate` while training and scales the rest by 1 / (1 − rate).
public final class Dropout: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Dropout`.
    public var typeName: String { "Dropout" }
    /// The probability of zeroing an element.
    public let rate: Float
    /// The generator of the masks (derived from the model's seed at build time).
    public var generator = RandomGenerator(seed: 0)

    /// A dropout layer with the given rate in [0, 1).
    public init(_ rate: Float) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    /// Elementwise: the shape is unchanged.
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    /// Takes its own mask generator from the model's.
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        self.generator = generator.split()
        return inputShape
    }

    /// The input with dropped elements while training; the input itself otherwise.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        training ? input.dropout(rate: rate, generator: &generator) : input
    }
}
