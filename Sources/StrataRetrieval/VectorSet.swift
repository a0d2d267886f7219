/// A set of vectors of one dimension, stored row-major: `(count, dimension)`.
///
/// The plain container that k-means and the indexes read and write; embeddings from a model are
/// copied in once, so searching never touches the autograd machinery.
public struct VectorSet: Sendable, Equatable {
    /// The number of values in each vector.
    public let dimension: Int
    /// All values, vector after vector: `(count, dimension)`.
    public private(set) var values: [Float]

    /// The number of vectors.
    public var count: Int { dimension == 0 ? 0 : values.count / dimension }

    /// Vectors from row-major values; `values.count` must be a multiple of `dimension`.
    public init(dimension: Int, values: [Float] = []) {
        precondition(dimension > 0, "VectorSet: dimension must be positive, got \(dimension)")
        precondition(values.count % dimension == 0,
                     "VectorSet: \(values.count) values are not a whole number of \(dimension)-dimensional vectors")
        self.dimension = dimension
        self.values = values
    }

    /// The values of vector `index`.
    public func vector(at index: Int) -> ArraySlice<Float> {
        values[index * dimension ..< (index + 1) * dimension]
    }

    /// Appends the vectors of `other`, which must have the same dimension.
    public mutating func append(contentsOf other: VectorSet) {
        precondition(other.dimension == dimension,
                     "VectorSet.append: dimension \(other.dimension) does not match \(dimension)")
        values += other.values
    }
}
