import StrataCore

/// Scales each example's vector along the last axis to unit Euclidean length: x / max(‖x‖, ε), as
/// PyTorch's `F.normalize` (Keras's layer of this name divides by √max(‖x‖², 1e-12), i.e. uses ε = 1e-6).
///
/// The last layer of an embedding network: `(N, D)` → `(N, D)` with ‖row‖ = 1.
public final class UnitNormalization: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `UnitNormalization`.
    public var typeName: String { "UnitNormalization" }
    /// The smallest length divided by: shorter vectors become x / ε.
    public let epsilon: Float

    /// A unit normalisation along the last axis.
    public init(epsilon: Float = 1e-12) {
        precondition(epsilon > 0, "UnitNormalization: epsilon must be positive, got \(epsilon)")
        self.epsilon = epsilon
    }

    /// Elementwise: the shape is unchanged; needs at least one non-empty axis.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let last = inputShape.last, last > 0 else {
            throw LayerError.incompatibleShape(self, got: inputShape, expected: "at least one non-empty axis")
        }
        return inputShape
    }

    /// The batch with every vector along the last axis divided by its length.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        input.l2Normalized(alongAxis: -1, epsilon: epsilon)
    }
}
