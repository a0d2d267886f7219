/// The items of one cluster of an `IVFIndex`, stored contiguously: ids, labels, paths and the
/// embeddings `(count, dimension)` in one block, so scanning a list reads one run of memory.
public struct InvertedList: Sendable, Equatable {
    /// The caller's id of each item.
    public private(set) var ids: [Int]
    /// The label (person) of each item.
    public private(set) var labels: [String]
    /// The path (photo) of each item.
    public private(set) var paths: [String]
    /// The embeddings: `(count, dimension)`.
    public private(set) var vectors: VectorSet
    /// `‖x‖²` of each embedding, for L2 search: `(count)`.
    private(set) var squaredNorms: [Float] = []

    /// The number of items in the list.
    public var count: Int { ids.count }

    /// The items of the list, in stored order.
    public var items: [IndexItem] { (0..<count).map(item(at:)) }

    /// An empty list of `dimension`-long vectors.
    public init(dimension: Int) {
        ids = []
        labels = []
        paths = []
        vectors = VectorSet(dimension: dimension)
    }

    /// The item at `position` in the list.
    public func item(at position: Int) -> IndexItem {
        IndexItem(id: ids[position], label: labels[position], path: paths[position])
    }

    /// Appends `items` with their embeddings `vectors (items.count, dimension)`.
    mutating func append(_ items: [IndexItem], vectors newVectors: VectorSet) {
        precondition(items.count == newVectors.count && newVectors.dimension == vectors.dimension,
                     "InvertedList.append: \(items.count) items for \(newVectors.count) vectors of dimension \(newVectors.dimension)")
        ids += items.map(\.id)
        labels += items.map(\.label)
        paths += items.map(\.path)
        vectors.append(contentsOf: newVectors)
        squaredNorms += MatrixProduct.squaredNorms(newVectors)
    }
}
