/// How an index compares a query with stored vectors.
public enum IndexMetric: String, Sendable, Codable, CaseIterable {
    /// The inner product `q·x`, higher is closer: cosine similarity when both are unit length.
    case innerProduct = "inner_product"
    /// The squared Euclidean distance `‖q − x‖²`, lower is closer.
    case l2

    /// Whether a higher score means a closer vector.
    public var higherIsCloser: Bool { self == .innerProduct }
}
